// kubectl-sluice against the real API server with the operator running
// (integration tier; FakeKubelet plays the Job controller and kubelet).
// The central check: what `plan` says a run will do is, step by step, what
// the operator then does - for the README's four selective cases and for a
// refused one - and bad input creates nothing.
#include <atomic>
#include <fstream>
#include <sstream>

#include "controller/json_access.h"
#include "operator_fixture.h"
#include "process.h"

namespace sluice::testing {
namespace {

using sluice::controller::stringAt;
using web::json::value;

// A -> B with one parameter A consumes.
const std::string kLinear = R"yaml(apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: linear}
spec:
  parameters: [{name: Rounds, type: Integer, default: "1"}]
  defaults: {serviceAccountName: pipeline-steps}
  steps:
  - {name: A, container: {image: registry.example/a:1, args: ["$(params.Rounds)"]}}
  - {name: B, container: {image: registry.example/b:1}, dependsOn: [A]}
)yaml";

class CliTest : public OperatorTest {
 protected:
  // Runs kubectl-sluice in the test namespace; stdout+stderr in *out.
  int sluice(std::vector<std::string> args, std::string* out = nullptr) {
    std::vector<std::string> argv = {SLUICE_CLI_BIN, "--kubeconfig", kubeconfig_, "-n", ns_};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string text;
    const int rc = runCommand(argv, &text);
    if (out) *out = text;
    return rc;
  }

  value sluiceJson(std::vector<std::string> args, int expectedExit = 0) {
    std::string out;
    const int rc = sluice(args, &out);
    EXPECT_EQ(rc, expectedExit) << out;
    try {
      return value::parse(out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << e.what() << "\n" << out;
      return value::object();
    }
  }

  // `start ... -o name --wait`: the created execution's name.
  std::string startAndWait(std::vector<std::string> args, int expectedExit) {
    args.insert(args.end(), {"-o", "name", "--wait", "--timeout", "90s"});
    std::string out;
    const int rc = sluice(args, &out);
    EXPECT_EQ(rc, expectedExit) << out;
    const std::string prefix = "pipelineexecution.sluice.dev/";
    const auto at = out.find(prefix);
    if (at == std::string::npos) return "";
    return out.substr(at + prefix.size(), out.find('\n', at) - at - prefix.size());
  }

  size_t executionCount() {
    auto r = client_->list({"sluice.dev", "v1alpha1", "pipelineexecutions", true}, ns_);
    return r.ok() ? r->items.size() : 0;
  }

  // Every step the plan listed did what the plan said, in the execution the
  // operator ran: reuse/cacheHit from the same producer with no Job, skip
  // with the same reason, run = a Job (container) or evaluated/failed in the
  // operator (condition/fail); a run step guarded by a condition branch may
  // instead be Skipped ConditionNotMet.
  void expectPlanMatchesWhatRan(const value& plan, const std::string& exec) {
    SCOPED_TRACE("execution " + exec);
    const value x = execution(exec);
    const auto jobs = jobSteps(exec);
    auto hasJob = [&](const std::string& s) { return std::find(jobs.begin(), jobs.end(), s) != jobs.end(); };
    ASSERT_TRUE(plan.has_field("steps"));
    ASSERT_EQ(plan.at("steps").size(), x.at("status").at("steps").size());
    for (const auto& p : plan.at("steps").as_array()) {
      const std::string name = stringAt(p, {"name"}), action = stringAt(p, {"action"}), kind = stringAt(p, {"kind"});
      SCOPED_TRACE("step " + name + " planned " + action);
      const value* s = stepStatus(x, name);
      ASSERT_NE(s, nullptr);
      const std::string phase = stringAt(*s, {"phase"});
      if (action == "reuse") {
        EXPECT_EQ(phase, "Succeeded");
        EXPECT_EQ(stringAt(*s, {"reusedFrom", "execution"}), stringAt(p, {"producer"}));
        EXPECT_FALSE(hasJob(name));
      } else if (action == "cacheHit") {
        EXPECT_EQ(phase, "Succeeded");
        EXPECT_EQ(stringAt(*s, {"cacheHit", "execution"}), stringAt(p, {"producer"}));
        EXPECT_FALSE(hasJob(name));
      } else if (action == "skip") {
        EXPECT_EQ(phase, "Skipped");
        EXPECT_EQ(stringAt(*s, {"reason"}), stringAt(p, {"reason"}));
        EXPECT_FALSE(hasJob(name));
      } else {
        ASSERT_EQ(action, "run");
        const bool guarded = p.at("onBranchOf").size() > 0;
        if (guarded && phase == "Skipped") {
          EXPECT_EQ(stringAt(*s, {"reason"}), "ConditionNotMet");
          continue;
        }
        EXPECT_FALSE(s->has_field("reusedFrom"));
        EXPECT_FALSE(s->has_field("cacheHit"));
        if (kind == "Container") {
          EXPECT_TRUE(hasJob(name));
        } else if (kind == "Condition") {
          EXPECT_EQ(phase, "Succeeded");
        } else {
          EXPECT_EQ(stringAt(*s, {"reason"}), "FailStep");
        }
      }
    }
  }

  // plan with args, then start with the same args; returns the execution.
  std::string planThenStart(const std::vector<std::string>& args, int expectedExit) {
    std::vector<std::string> planArgs = {"plan", "abalone"};
    planArgs.insert(planArgs.end(), args.begin(), args.end());
    planArgs.insert(planArgs.end(), {"-o", "json"});
    const value plan = sluiceJson(planArgs);
    EXPECT_TRUE(plan.at("verdict").at("accepted").as_bool()) << plan.serialize();
    std::vector<std::string> startArgs = {"start", "abalone"};
    startArgs.insert(startArgs.end(), args.begin(), args.end());
    const std::string name = startAndWait(startArgs, expectedExit);
    EXPECT_FALSE(name.empty());
    if (!name.empty()) expectPlanMatchesWhatRan(plan, name);
    return name;
  }
};

TEST_F(CliTest, PlanMatchesWhatTheOperatorDoesForTheFourSelectiveCasesAndARefusal) {
  std::atomic<bool> failEvaluate{false};
  startOperator();
  startKubelet([&](const std::string& step) {
    StepBehaviour b;
    if (step == "Evaluate") {
      b.properties["mse"] = "4.37";
      if (failEvaluate) b.exitCode = 2;
    }
    return b;
  });
  apply(readFile(SLUICE_SOURCE_DIR "/examples/abalone/pipeline.yaml"));

  // A plain run; the plan of a plain run matches it too.
  const std::string full = planThenStart({}, 0);
  ASSERT_FALSE(full.empty());

  // (1) Only Train, new hyperparameters; source = the newest finished run.
  const std::string trainOnly = planThenStart({"--steps", "Train", "-p", "XGBNumRounds=200"}, 0);
  EXPECT_EQ(jobSteps(trainOnly), std::vector<std::string>{"Train"});

  // (2) Train and Evaluate from a named source (a selective run: Preprocess
  // still comes from the run that produced it).
  const std::string trainEval =
      planThenStart({"--from", trainOnly, "--steps", "Train,Evaluate", "-p", "XGBNumRounds=250"}, 0);
  EXPECT_EQ(stringAt(*stepStatus(execution(trainEval), "Preprocess"), {"reusedFrom", "execution"}), full);

  // (3) A failed run, then `rerun` it: --from-failure by default.
  failEvaluate = true;
  const std::string broken = startAndWait({"start", "abalone", "-p", "XGBNumRounds=300"}, 1);
  ASSERT_FALSE(broken.empty());
  failEvaluate = false;
  const value rerunPlan = sluiceJson({"rerun", broken, "--dry-run", "-o", "json"});
  EXPECT_EQ(stringAt(rerunPlan, {"sourceExecution"}), broken);
  const std::string rerun = startAndWait({"rerun", broken}, 0);
  ASSERT_FALSE(rerun.empty());
  expectPlanMatchesWhatRan(rerunPlan, rerun);

  // (4) Train through the gate with a threshold that sends it to FailNotify:
  // the run fails with FailNotify's message, as planned.
  const std::string gate =
      planThenStart({"--steps", "Train,Evaluate,MSECheck,FailNotify", "-p", "MseThreshold=0.001"}, 1);
  EXPECT_EQ(stringAt(execution(gate), {"status", "failureReason"}), "MSE 4.37 is above 0.001");

  // Refused: Train + MSECheck without Evaluate. plan names Evaluate; start
  // creates nothing.
  const size_t before = executionCount();
  const value refused = sluiceJson({"plan", "abalone", "--steps", "Train,MSECheck", "-o", "json"}, 1);
  EXPECT_FALSE(refused.at("verdict").at("accepted").as_bool());
  EXPECT_EQ(stringAt(refused, {"verdict", "reason"}), "InvalidSelectiveExecution");
  EXPECT_NE(stringAt(refused, {"verdict", "message"}).find("Evaluate"), std::string::npos) << refused.serialize();
  std::string out;
  EXPECT_EQ(sluice({"start", "abalone", "--steps", "Train,MSECheck"}, &out), 1) << out;
  EXPECT_NE(out.find("Nothing was created."), std::string::npos) << out;
  // The operator itself refuses the same run with the same words.
  apply("apiVersion: sluice.dev/v1alpha1\nkind: PipelineExecution\nmetadata: {name: gap}\nspec:\n"
        "  pipelineRef: {name: abalone}\n  selectiveExecution: {selectedSteps: [Train, MSECheck]}\n");
  ASSERT_EQ(waitTerminal("gap"), "Failed");
  EXPECT_EQ(stringAt(execution("gap"), {"status", "failureReason"}), stringAt(refused, {"verdict", "message"}));
  EXPECT_EQ(executionCount(), before + 1) << "only the execution applied with kubectl";
}

TEST_F(CliTest, BadInputGetsAClearMessageAndCreatesNothing) {
  startOperator();
  std::atomic<bool> holdB{false};
  startKubelet([&](const std::string& step) {
    StepBehaviour b;
    b.hold = step == "B" && holdB;  // keeps the second run Executing
    return b;
  });
  apply(kLinear);
  std::string out;
  ASSERT_EQ(sluice({"start", "linear", "--wait", "--timeout", "60s"}, &out), 0) << out;  // a finished source
  holdB = true;
  ASSERT_EQ(sluice({"start", "linear", "-o", "name"}, &out), 0) << out;
  const std::string running = out.substr(out.find('/') + 1, out.find('\n') - out.find('/') - 1);
  ASSERT_TRUE(eventually([&] { return phase(running) == "Executing"; })) << phase(running);
  const size_t before = executionCount();

  struct Case {
    std::vector<std::string> args;
    int exit;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"start", "linear", "--steps", "Nope"}, 1, "unknown step(s) in selection: 'Nope'"},
      {{"start", "linear", "-p", "Unknown=1"}, 1, "Unknown"},
      {{"start", "linear", "-p", "Rounds=many"}, 1, "Rounds"},
      {{"start", "linear", "--steps", "B", "--from", running}, 1, running},  // a running source
      {{"start", "nosuch"}, 5, "pipeline 'nosuch' in namespace '" + ns_ + "' not found"},
      {{"start", "linear", "--steps"}, 4, "--steps needs a value"},
      {{"get", "nosuch"}, 5, "not found"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(sluice(c.args, &out), c.exit) << c.args[0] << " " << c.args.back() << ": " << out;
    EXPECT_NE(out.find(c.says), std::string::npos) << out;
  }
  EXPECT_EQ(executionCount(), before) << "no bad input created anything";

  // An unreachable cluster is an exit 5 with a sentence, within seconds.
  const std::string dead = logPath("dead-kubeconfig");
  std::ofstream(dead) << "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n"
                         "  cluster: {server: \"https://127.0.0.1:1\"}\nusers:\n- name: u\n  user: {token: t}\n"
                         "contexts:\n- name: c\n  context: {cluster: k, user: u}\n";
  EXPECT_EQ(runCommand({SLUICE_CLI_BIN, "--kubeconfig", dead, "list"}, &out), 5) << out;
  EXPECT_NE(out.find("cannot reach the cluster"), std::string::npos) << out;
  EXPECT_EQ(out.find("token: t"), std::string::npos);
}

TEST_F(CliTest, ListGetParamsWaitStopDagAndDiff) {
  startOperator();
  std::atomic<bool> holdB{true};
  startKubelet([&](const std::string& step) {
    StepBehaviour b;
    b.hold = step == "B" && holdB;
    return b;
  });
  apply(kLinear);
  std::string out;
  ASSERT_EQ(sluice({"start", "linear", "-p", "Rounds=3", "-o", "name"}, &out), 0) << out;
  const std::string first = out.substr(out.find('/') + 1, out.find('\n') - out.find('/') - 1);
  ASSERT_TRUE(eventually([&] { return phase(first) == "Executing"; }));

  // wait: exit 3 on timeout, then stop -> exit 2 (Stopped).
  EXPECT_EQ(sluice({"wait", first, "--timeout", "1s"}, &out), 3) << out;
  EXPECT_EQ(sluice({"stop", "@latest"}, &out), 0) << out;
  EXPECT_NE(out.find(first + " stopping"), std::string::npos) << out;
  EXPECT_EQ(sluice({"wait", "--last", "--timeout", "60s"}, &out), 2) << out;

  holdB = false;
  ASSERT_EQ(sluice({"rerun", first, "--from-steps", "B", "--wait", "--timeout", "60s"}, &out), 0) << out;
  ASSERT_EQ(sluice({"list", "linear", "-o", "name"}, &out), 0);
  const std::string second = out.substr(out.find('/') + 1, out.find('\n') - out.find('/') - 1);
  EXPECT_NE(second, first) << "newest first";

  ASSERT_EQ(sluice({"list"}, &out), 0);
  EXPECT_EQ(out.rfind("NAME", 0), 0u) << out;
  EXPECT_NE(out.find(first), std::string::npos);
  EXPECT_NE(out.find("Stopped"), std::string::npos);
  ASSERT_EQ(sluice({"list", "--status", "Succeeded", "-o", "name"}, &out), 0);
  EXPECT_EQ(out, "pipelineexecution.sluice.dev/" + second + "\n");

  ASSERT_EQ(sluice({"get", second}, &out), 0);
  EXPECT_NE(out.find("✔ A"), std::string::npos) << out;
  EXPECT_NE(out.find("reused " + first), std::string::npos) << out;
  const value got = sluiceJson({"get", second, "-o", "json"});
  EXPECT_EQ(stringAt(got, {"status", "phase"}), "Succeeded");

  const value params = sluiceJson({"params", second, "-o", "json"});
  ASSERT_TRUE(params.is_array());
  EXPECT_EQ(stringAt(params.at(0), {"value"}), "3");
  EXPECT_EQ(stringAt(params.at(0), {"source"}), "Reference");

  // --params-from: the first run's values become this run's explicit ones.
  const value reuseParams = sluiceJson({"plan", "linear", "--params-from", first, "-o", "json"});
  EXPECT_EQ(stringAt(reuseParams.at("parameters").at(0), {"value"}), "3");
  EXPECT_EQ(stringAt(reuseParams.at("parameters").at(0), {"source"}), "Override");

  ASSERT_EQ(sluice({"dag", "linear", "-o", "dot"}, &out), 0);
  EXPECT_NE(out.find("\"A\" -> \"B\";"), std::string::npos) << out;
  ASSERT_EQ(sluice({"diff", first, second}, &out), 0);
  EXPECT_NE(out.find("reused from " + first), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice::testing

// The operator end to end against the real API server (integration tier):
// no Job controller or kubelet runs, FakeKubelet plays them. Checks exactly
// which Jobs exist and what the execution's status says.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <functional>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "operator_fixture.h"
#include "controller/json_access.h"

namespace sluice::testing {
namespace {

using sluice::controller::stringAt;

using web::json::value;

StepBehaviour abaloneScript(const std::string& step) {
  StepBehaviour b;
  if (step == "Evaluate") b.properties["mse"] = "4.37";
  return b;
}

std::map<std::string, std::string> outputUris(const value& step) {
  std::map<std::string, std::string> m;
  if (!step.has_field("outputs")) return m;
  for (const auto& o : step.at("outputs").as_array()) m[stringAt(o, {"name"})] = stringAt(o, {"uri"});
  return m;
}

std::vector<std::string> jobStepsOf(kube::Client& c, const std::string& ns, const std::string& exec) {
  kube::ListOptions o;
  o.label_selector = "sluice.dev/execution=" + exec;
  std::vector<std::string> steps;
  auto r = c.list(kube::resources::jobs(), ns, o);
  if (r.ok()) {
    for (const auto& j : r->items) steps.push_back(stringAt(j, {"metadata", "annotations", "sluice.dev/step"}));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

const std::string kLinear = R"(apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: linear}
spec:
  defaults: {serviceAccountName: pipeline-steps}
  steps:
  - {name: A, container: {image: registry.example/a:1}}
  - {name: B, container: {image: registry.example/b:1}, dependsOn: [A]}
  - {name: C, container: {image: registry.example/c:1}, dependsOn: [B]}
)";

TEST_F(OperatorTest, AbaloneRunsThenSelectiveRunsLinkTheSourcesOutputs) {
  startOperator();
  startKubelet(abaloneScript);
  apply(readFile(SLUICE_SOURCE_DIR "/examples/abalone/pipeline.yaml"));
  apply(execYaml("full", "abalone"));
  ASSERT_EQ(waitTerminal("full"), "Succeeded") << execution("full").serialize();
  value full = execution("full");
  EXPECT_EQ(jobStepsOf(*client_, ns_, "full"), (std::vector<std::string>{"Evaluate", "Preprocess", "Register", "Train"}));
  ASSERT_NE(stepStatus(full, "MSECheck"), nullptr);
  EXPECT_EQ(stringAt(*stepStatus(full, "MSECheck"), {"condition", "outcome"}), "True");
  EXPECT_EQ(stringAt(*stepStatus(full, "FailNotify"), {"phase"}), "Skipped");
  EXPECT_EQ(stringAt(*stepStatus(full, "FailNotify"), {"reason"}), "ConditionNotMet");
  EXPECT_EQ(stringAt(full, {"status", "progress"}), "6/6");
  const auto preprocessUris = outputUris(*stepStatus(full, "Preprocess"));
  ASSERT_EQ(preprocessUris.size(), 2u);

  // (1) Only Train, with new hyperparameters: exactly one Job.
  apply(execYaml("train-only", "abalone",
                 "  parameters: [{name: XGBNumRounds, value: \"200\"}]\n"
                 "  selectiveExecution: {sourceExecution: full, selectedSteps: [Train]}\n"));
  ASSERT_EQ(waitTerminal("train-only"), "Succeeded") << execution("train-only").serialize();
  EXPECT_EQ(jobStepsOf(*client_, ns_, "train-only"), std::vector<std::string>{"Train"});
  value trainOnly = execution("train-only");
  const value* pre = stepStatus(trainOnly, "Preprocess");
  ASSERT_NE(pre, nullptr);
  EXPECT_EQ(stringAt(*pre, {"phase"}), "Succeeded");
  EXPECT_EQ(stringAt(*pre, {"reusedFrom", "execution"}), "full");
  EXPECT_EQ(outputUris(*pre), preprocessUris) << "reused outputs are linked, not recomputed";
  EXPECT_EQ(stringAt(*stepStatus(trainOnly, "Evaluate"), {"reason"}), "NotSelected");

  // (2) Train + Evaluate from the selective run, with yet another value:
  // Preprocess still names the execution that really produced it.
  apply(execYaml("train-eval", "abalone",
                 "  parameters: [{name: XGBNumRounds, value: \"250\"}]\n"
                 "  selectiveExecution: {sourceExecution: train-only, selectedSteps: [Train, Evaluate]}\n"));
  ASSERT_EQ(waitTerminal("train-eval"), "Succeeded") << execution("train-eval").serialize();
  EXPECT_EQ(jobStepsOf(*client_, ns_, "train-eval"), (std::vector<std::string>{"Evaluate", "Train"}));
  value trainEval = execution("train-eval");
  EXPECT_EQ(stringAt(*stepStatus(trainEval, "Preprocess"), {"reusedFrom", "execution"}), "full");
  EXPECT_EQ(outputUris(*stepStatus(trainEval, "Preprocess")), preprocessUris);
  // Parameters: explicit values win, the rest come from the source.
  std::map<std::string, std::pair<std::string, std::string>> params;
  for (const auto& p : trainEval.at("status").at("parameters").as_array()) {
    params[stringAt(p, {"name"})] = {stringAt(p, {"value"}), stringAt(p, {"source"})};
  }
  EXPECT_EQ(params["XGBNumRounds"], std::make_pair(std::string("250"), std::string("Override")));
  EXPECT_EQ(params["XGBETA"], std::make_pair(std::string("0.25"), std::string("Reference")));

  // Train is cached (expireAfter P30D): the same inputs again are a cache
  // hit on the run that produced them, with no Job.
  apply(execYaml("train-cached", "abalone",
                 "  selectiveExecution: {sourceExecution: train-eval, selectedSteps: [Train]}\n"));
  ASSERT_EQ(waitTerminal("train-cached"), "Succeeded") << execution("train-cached").serialize();
  EXPECT_TRUE(jobStepsOf(*client_, ns_, "train-cached").empty());
  value cached = execution("train-cached");
  EXPECT_EQ(stringAt(*stepStatus(cached, "Train"), {"cacheHit", "execution"}), "train-eval");
  EXPECT_EQ(outputUris(*stepStatus(cached, "Train")), outputUris(*stepStatus(trainEval, "Train")));

  // An unconnected selection is rejected before any Job exists, naming Evaluate.
  apply(execYaml("gap", "abalone",
                 "  selectiveExecution: {sourceExecution: full, selectedSteps: [Train, MSECheck]}\n"));
  ASSERT_EQ(waitTerminal("gap"), "Failed");
  value gap = execution("gap");
  EXPECT_NE(stringAt(gap, {"status", "failureReason"}).find("Evaluate"), std::string::npos)
      << stringAt(gap, {"status", "failureReason"});
  EXPECT_TRUE(jobStepsOf(*client_, ns_, "gap").empty());
}

TEST_F(OperatorTest, LinearPipelineRunsInOrderAndLabelsTheExecution) {
  startOperator();
  startKubelet([](const std::string&) { return StepBehaviour{}; });
  apply(kLinear);
  apply(execYaml("run", "linear"));
  ASSERT_EQ(waitTerminal("run"), "Succeeded") << execution("run").serialize();
  EXPECT_EQ(kubelet_->stepsStarted(), (std::vector<std::string>{"A", "B", "C"}));
  value run = execution("run");
  EXPECT_EQ(stringAt(run, {"metadata", "labels", "sluice.dev/pipeline"}), "linear");
  EXPECT_FALSE(stringAt(run, {"status", "endTime"}).empty());
  ASSERT_TRUE(run.at("status").has_field("pipelineSpec")) << "the spec is snapshotted at start";

  // One Kubernetes Event per transition, never a repeat: a status written
  // from a stale cache would announce a step's start again.
  std::map<std::string, int> seen;  // "reason message" -> count
  ASSERT_TRUE(eventually([&] {
    seen.clear();
    kube::ListOptions o;
    o.field_selector = "involvedObject.name=run";
    auto events = client_->list(kube::resources::events(), ns_, o);
    if (!events.ok()) return false;
    for (const auto& e : events->items) seen[stringAt(e, {"reason"}) + " " + stringAt(e, {"message"})] += 1;
    return std::any_of(seen.begin(), seen.end(), [](const auto& kv) { return kv.first.rfind("ExecutionSucceeded", 0) == 0; });
  })) << "no ExecutionSucceeded event";
  int started = 0;
  for (const auto& [what, count] : seen) {
    EXPECT_EQ(count, 1) << what;
    if (what.rfind("StepStarted", 0) == 0) ++started;
  }
  EXPECT_EQ(started, 3) << "one StepStarted for each of A, B and C";

  // Its spec may still change when finished (stop, maxParallelSteps): the
  // status acknowledges the new generation, so kstatus tools see it current.
  value patch;
  patch["spec"]["maxParallelSteps"] = value::number(2);
  auto patched = client_->merge_patch({"sluice.dev", "v1alpha1", "pipelineexecutions", true}, ns_, "run", patch);
  ASSERT_TRUE(patched.ok()) << patched.error().to_string();
  const int64_t generation = patched->at("metadata").at("generation").as_number().to_int64();
  ASSERT_GT(generation, 1);
  EXPECT_TRUE(eventually([&] {
    value r = execution("run");
    return r.at("status").has_field("observedGeneration") &&
           r.at("status").at("observedGeneration").as_number().to_int64() == generation;
  })) << execution("run").at("status").serialize();
  EXPECT_EQ(phase("run"), "Succeeded");
}

TEST_F(OperatorTest, StepFailureFailsTheExecutionNamingTheStep) {
  startOperator();
  startKubelet([](const std::string& step) {
    StepBehaviour b;
    if (step == "B") b.exitCode = 2;
    return b;
  });
  apply(kLinear);
  apply(execYaml("run", "linear"));
  ASSERT_EQ(waitTerminal("run"), "Failed");
  value run = execution("run");
  EXPECT_EQ(stringAt(run, {"status", "failureReason"}), "Step 'B' failed: exit code 2");
  EXPECT_EQ(jobStepsOf(*client_, ns_, "run"), (std::vector<std::string>{"A", "B"})) << "C never starts";
}

TEST_F(OperatorTest, InvalidInputFailsWithAReasonAndNoJobs) {
  startOperator();
  startKubelet([](const std::string&) { return StepBehaviour{}; });
  apply(R"(apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: cyclic}
spec:
  steps:
  - {name: A, container: {image: registry.example/a:1}, dependsOn: [B]}
  - {name: B, container: {image: registry.example/b:1}, dependsOn: [A]}
)");
  // Passes the CRD schema and the operator's validation, but the API server
  // refuses the Job: a node affinity "In" needs values.
  apply(R"(apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: badjob}
spec:
  steps:
  - name: A
    container: {image: registry.example/a:1}
    affinity:
      nodeAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In}]}]
)");
  apply(kLinear);
  apply(execYaml("cyc", "cyclic"));
  apply(execYaml("badjob", "badjob"));
  apply(execYaml("badparam", "linear", "  parameters: [{name: Nope, value: \"1\"}]\n"));
  apply(execYaml("badsource", "linear", "  selectiveExecution: {sourceExecution: missing, selectedSteps: [B]}\n"));
  struct Row {
    std::string exec, reason, needle;
  };
  for (const Row& r : std::vector<Row>{{"cyc", "PipelineInvalid", "A -> B -> A"},
                                       {"badparam", "InvalidParameters", "Nope"},
                                       {"badsource", "InvalidSelectiveExecution", "missing"},
                                       {"badjob", "StepFailed", "the API server rejected Job"}}) {
    ASSERT_EQ(waitTerminal(r.exec), "Failed") << r.exec;
    value e = execution(r.exec);
    std::string reasons;
    for (const auto& c : e.at("status").at("conditions").as_array()) reasons += stringAt(c, {"reason"}) + " ";
    EXPECT_NE(reasons.find(r.reason), std::string::npos) << r.exec << ": " << e.at("status").serialize();
    EXPECT_NE(stringAt(e, {"status", "failureReason"}).find(r.needle), std::string::npos)
        << r.exec << ": " << stringAt(e, {"status", "failureReason"});
    EXPECT_TRUE(jobStepsOf(*client_, ns_, r.exec).empty()) << r.exec << " must create no Job";
  }
  // The Pipelines themselves say whether they are valid (Ready), with the
  // problem for the invalid one.
  auto readyOf = [&](const std::string& pipeline) -> value {
    auto p = client_->get({"sluice.dev", "v1alpha1", "pipelines", true}, ns_, pipeline);
    if (!p.ok() || !p->has_field("status") || !p->at("status").has_field("conditions")) return value::null();
    for (const auto& c : p->at("status").at("conditions").as_array())
      if (stringAt(c, {"type"}) == "Ready") return c;
    return value::null();
  };
  ASSERT_TRUE(eventually([&] { return !readyOf("cyclic").is_null() && !readyOf("linear").is_null(); }));
  const value cyclicReady = readyOf("cyclic");
  EXPECT_EQ(stringAt(cyclicReady, {"status"}), "False");
  EXPECT_EQ(stringAt(cyclicReady, {"reason"}), "Invalid");
  EXPECT_NE(stringAt(cyclicReady, {"message"}).find("A -> B -> A"), std::string::npos) << cyclicReady.serialize();
  EXPECT_EQ(stringAt(readyOf("linear"), {"status"}), "True");

  const value badjob = execution("badjob");
  const value* a = stepStatus(badjob, "A");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(stringAt(*a, {"reason"}), "JobRejected");
  EXPECT_NE(stringAt(*a, {"message"}).find("affinity"), std::string::npos) << stringAt(*a, {"message"});
}

// Owner references never cross namespaces; anyone who can write Jobs in some
// namespace can still put any UID in one. A copy of B's Job, owner reference
// and all, made in another namespace and run to success there, must not
// decide B.
TEST_F(OperatorTest, AJobInAnotherNamespaceNeverDecidesAStep) {
  // Named to sort after ns_: the cache lists a UID's dependents by key, so
  // without the namespace check the forged Job would be the one observed.
  const std::string other = "z" + ns_;
  startOperator("operator", {"--namespace", other});  // watches both
  startKubelet(holding("B"));
  apply(kLinear);
  apply(execYaml("run", "linear"));
  value real;
  ASSERT_TRUE(eventually([&] {
    kube::ListOptions o;
    o.label_selector = "sluice.dev/execution=run";
    auto jobs = client_->list(kube::resources::jobs(), ns_, o);
    if (!jobs.ok()) return false;
    for (const auto& j : jobs->items)
      if (stringAt(j, {"metadata", "annotations", "sluice.dev/step"}) == "B") real = j;
    return !real.is_null();
  }));

  value nsObj;
  nsObj["metadata"]["name"] = value::string(other);
  ASSERT_TRUE(client_->create(kube::resources::namespaces(), "", nsObj).ok());
  for (const char* name : {"default", "pipeline-steps"}) {
    value sa;
    sa["metadata"]["name"] = value::string(name);
    auto madeSa = client_->create({"", "v1", "serviceaccounts", true}, other, sa);
    ASSERT_TRUE(madeSa.ok() || madeSa.error().is(kube::ErrorKind::AlreadyExists));
  }
  value forged;
  forged["apiVersion"] = value::string("batch/v1");
  forged["kind"] = value::string("Job");
  for (const char* f : {"name", "labels", "annotations", "ownerReferences"}) forged["metadata"][f] = real.at("metadata").at(f);
  forged["spec"]["template"]["metadata"]["labels"]["sluice.dev/execution"] = value::string("run");
  forged["spec"]["template"]["metadata"]["labels"]["sluice.dev/step"] = value::string("B");
  forged["spec"]["template"]["spec"] = real.at("spec").at("template").at("spec");
  auto made = client_->create(kube::resources::jobs(), other, forged);
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  FakeKubelet intruder(client_, other, [](const std::string&) { return StepBehaviour{}; });
  intruder.start();
  ASSERT_TRUE(eventually([&] {
    auto pods = client_->list(kube::resources::pods(), other, {});
    if (!pods.ok()) return false;
    for (const auto& p : pods->items)
      if (stringAt(p, {"status", "phase"}) == "Succeeded") return true;
    return false;
  })) << "the forged Job's pod never finished";
  // That pod's events map to "run" in the other namespace, which does not
  // exist; so make "run" itself reconcile (an annotation changes nothing
  // else), then give the operator ample time.
  value poke;
  poke["metadata"]["annotations"]["sluice.dev/test-poke"] = value::string("1");
  ASSERT_TRUE(client_->merge_patch({"sluice.dev", "v1alpha1", "pipelineexecutions", true}, ns_, "run", poke).ok());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  intruder.stop();
  value run = execution("run");
  const value* b = stepStatus(run, "B");
  ASSERT_NE(b, nullptr);
  const std::string phaseB = stringAt(*b, {"phase"});
  EXPECT_TRUE(phaseB == "Starting" || phaseB == "Executing") << "B is " << phaseB << ": " << b->serialize();
  EXPECT_EQ(stringAt(run, {"status", "phase"}), "Executing");
  (void)client_->remove(kube::resources::namespaces(), "", other);
}

// The caches may never sync (an unreachable server, missing RBAC): the
// operator must still take SIGTERM and exit 0, not sit until the kubelet's
// SIGKILL.
TEST_F(OperatorTest, SigtermEndsTheOperatorEvenWhileItsCachesCannotSync) {
  // The admin kubeconfig, pointed at a loopback port nobody listens on.
  std::string config = readFile(kubeconfig_);
  const auto at = config.find("server: https://127.0.0.1:");
  ASSERT_NE(at, std::string::npos);
  const auto end = config.find('\n', at);
  config.replace(at, end - at, "server: https://127.0.0.1:1");
  const std::string path = logPath("unreachable") + ".kubeconfig";
  {
    std::ofstream out(path);
    out << config;
  }
  Process op({SLUICE_OPERATOR_BIN, "--kubeconfig", path, "--namespace", ns_, "--metrics-bind-address", "0",
              "--health-probe-bind-address", "0"},
             logPath("unreachable"));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // listing, failing, retrying
  ASSERT_TRUE(op.running()) << readFile(logPath("unreachable"));
  op.signal(SIGTERM);
  EXPECT_EQ(op.wait(10000), 0) << readFile(logPath("unreachable"));
}

// DESIGN.md: cache scope is the same Pipeline in the same namespace. Two
// Pipelines with the same cached step: the second Pipeline's run computes its
// own result, while a second run of the first is served from the cache.
TEST_F(OperatorTest, CacheHitsStayWithinTheirPipeline) {
  startOperator();
  startKubelet([](const std::string&) { return StepBehaviour{}; });
  for (const char* name : {"first", "second"}) {
    apply(std::string("apiVersion: sluice.dev/v1alpha1\nkind: Pipeline\nmetadata: {name: ") + name + R"(}
spec:
  steps:
  - {name: A, container: {image: registry.example/a:1, command: [work]}, cache: {enabled: true}}
)");
  }
  apply(execYaml("first-1", "first"));
  ASSERT_EQ(waitTerminal("first-1"), "Succeeded");
  apply(execYaml("first-2", "first"));
  apply(execYaml("second-1", "second"));
  ASSERT_EQ(waitTerminal("first-2"), "Succeeded");
  ASSERT_EQ(waitTerminal("second-1"), "Succeeded");

  const value again = execution("first-2");
  EXPECT_EQ(stringAt(*stepStatus(again, "A"), {"reason"}), "CacheHit") << again.at("status").serialize();
  EXPECT_EQ(stringAt(*stepStatus(again, "A"), {"cacheHit", "execution"}), "first-1");
  EXPECT_TRUE(jobStepsOf(*client_, ns_, "first-2").empty());

  const value other = execution("second-1");
  EXPECT_NE(stringAt(*stepStatus(other, "A"), {"reason"}), "CacheHit") << other.at("status").serialize();
  EXPECT_EQ(jobStepsOf(*client_, ns_, "second-1"), std::vector<std::string>{"A"}) << "another Pipeline's cache is not its own";
}

TEST_F(OperatorTest, StopDeletesRunningJobsAndEndsStopped) {
  startOperator();
  startKubelet(holding("B"));
  apply(kLinear);
  apply(execYaml("run", "linear"));
  ASSERT_TRUE(eventually([&] { return jobStepsOf(*client_, ns_, "run").size() == 2; }));
  value patch;
  patch["spec"]["stop"] = value::boolean(true);
  ASSERT_TRUE(client_->merge_patch({"sluice.dev", "v1alpha1", "pipelineexecutions", true}, ns_, "run", patch).ok());
  ASSERT_EQ(waitTerminal("run"), "Stopped");
  value run = execution("run");
  EXPECT_EQ(stringAt(*stepStatus(run, "B"), {"phase"}), "Stopped");
  EXPECT_NE(stringAt(*stepStatus(run, "C"), {"phase"}), "Succeeded");
  EXPECT_TRUE(eventually([&] { return jobStepsOf(*client_, ns_, "run") == std::vector<std::string>{"A"}; }))
      << "B's running Job is deleted";
}

TEST_F(OperatorTest, MaxParallelStepsIsRespected) {
  startOperator();
  startKubelet([](const std::string&) {
    StepBehaviour b;
    b.hold = true;
    return b;
  });
  apply(R"(apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: fan}
spec:
  maxParallelSteps: 2
  steps:
  - {name: P1, container: {image: registry.example/p:1}}
  - {name: P2, container: {image: registry.example/p:1}}
  - {name: P3, container: {image: registry.example/p:1}}
  - {name: P4, container: {image: registry.example/p:1}}
)");
  apply(execYaml("run", "fan"));
  ASSERT_TRUE(eventually([&] { return jobStepsOf(*client_, ns_, "run").size() == 2; }));
  // Give the operator every chance to overshoot before checking.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto first = jobStepsOf(*client_, ns_, "run");
  EXPECT_EQ(first.size(), 2u);
  for (const auto& s : first) kubelet_->release(s);
  ASSERT_TRUE(eventually([&] { return jobStepsOf(*client_, ns_, "run").size() == 4; }));
  for (const char* s : {"P1", "P2", "P3", "P4"}) kubelet_->release(s);
  ASSERT_EQ(waitTerminal("run"), "Succeeded");
  EXPECT_LE(kubelet_->maxConcurrentRunning(), 2);
}

TEST_F(OperatorTest, ExecutionWaitsForAMissingPipeline) {
  startOperator();
  startKubelet([](const std::string&) { return StepBehaviour{}; });
  apply(execYaml("early", "linear"));
  ASSERT_TRUE(eventually([&] {
    value e = execution("early");
    if (!e.has_field("status") || !e.at("status").has_field("conditions")) return false;
    for (const auto& c : e.at("status").at("conditions").as_array()) {
      if (stringAt(c, {"reason"}) == "PipelineNotFound") return true;
    }
    return false;
  })) << execution("early").serialize();
  EXPECT_EQ(phase("early"), "Pending");
  apply(kLinear);  // GitOps applied them in the other order
  ASSERT_EQ(waitTerminal("early"), "Succeeded");
}

TEST_F(OperatorTest, SigkillMidwayThenRestartFinishesEverythingWithOneJobPerStep) {
  startOperator("first");
  startKubelet([](const std::string&) { return StepBehaviour{}; });
  apply(kLinear);
  std::string yaml;
  for (int i = 0; i < 10; ++i) yaml += execYaml("run-" + std::to_string(i), "linear") + "---\n";
  apply(yaml);
  ASSERT_TRUE(eventually([&] { return kubelet_->stepsStarted().size() >= 8; }));
  operator_->signal(SIGKILL);
  EXPECT_EQ(operator_->wait(10000), 128 + SIGKILL);
  startOperator("second");
  for (int i = 0; i < 10; ++i) {
    const std::string name = "run-" + std::to_string(i);
    ASSERT_EQ(waitTerminal(name), "Succeeded") << name;
    EXPECT_EQ(jobStepsOf(*client_, ns_, name), (std::vector<std::string>{"A", "B", "C"}))
        << name << ": exactly one Job per step";
  }
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

TEST_F(OperatorTest, WithLeaderElectionOnlyTheLeaderWritesAndTheOtherTakesOver) {
  const std::vector<std::string> election{"--leader-elect", "--lease-namespace", ns_, "--lease-name", "sluice-test"};
  startOperator("a", election);
  ASSERT_TRUE(eventually([&] { return linesWith(logPath("a"), "\"started leading\"") == 1; }))
      << "the first candidate acquires the free lease";
  auto standby = spawnOperator("b", election);
  startKubelet([](const std::string&) { return StepBehaviour{}; });
  apply(kLinear);
  apply(execYaml("one", "linear"));
  ASSERT_EQ(waitTerminal("one"), "Succeeded");
  EXPECT_EQ(linesWith(logPath("a"), "\"job created\""), 3);
  EXPECT_EQ(linesWith(logPath("b"), "\"job created\""), 0) << "the standby never writes";
  EXPECT_EQ(linesWith(logPath("b"), "\"started leading\""), 0);

  // The leader stops (SIGTERM releases the lease): the standby takes over.
  EXPECT_EQ(stopOperator(), 0);
  ASSERT_TRUE(eventually([&] { return linesWith(logPath("b"), "\"started leading\"") == 1; },
                         std::chrono::seconds(30)));
  apply(execYaml("two", "linear"));
  ASSERT_EQ(waitTerminal("two"), "Succeeded");
  EXPECT_EQ(linesWith(logPath("b"), "\"job created\""), 3);
  standby->signal(SIGTERM);
  EXPECT_EQ(standby->wait(30000), 0);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// Scenarios (3) and (4) of DESIGN.md, a third link in a chain, and the
// operator's /metrics while it works.
TEST_F(OperatorTest, RerunAFailedEvaluateAndSendTheGateToItsElseBranch) {
  const int metricsPort = 20000 + (std::hash<std::string>{}(ns_) % 20000);
  startOperator("metrics", {"--metrics-bind-address", "127.0.0.1:" + std::to_string(metricsPort)});
  std::atomic<bool> evaluateFails{true};
  startKubelet([&](const std::string& step) {
    StepBehaviour b;
    if (step == "Evaluate") {
      if (evaluateFails) b.exitCode = 3;
      b.properties["mse"] = "4.37";
    }
    return b;
  });
  apply(readFile(SLUICE_SOURCE_DIR "/examples/abalone/pipeline.yaml"));
  apply(execYaml("broken", "abalone"));
  ASSERT_EQ(waitTerminal("broken"), "Failed");
  EXPECT_EQ(stringAt(execution("broken"), {"status", "failureReason"}), "Step 'Evaluate' failed: exit code 3");
  evaluateFails = false;

  // (3a) Evaluate alone.
  apply(execYaml("eval-only", "abalone", "  selectiveExecution: {sourceExecution: broken, selectedSteps: [Evaluate]}\n"));
  ASSERT_EQ(waitTerminal("eval-only"), "Succeeded") << execution("eval-only").serialize();
  EXPECT_EQ(jobStepsOf(*client_, ns_, "eval-only"), std::vector<std::string>{"Evaluate"});
  // (3b) fromFailure: Evaluate and everything downstream of it.
  apply(execYaml("from-failure", "abalone", "  selectiveExecution: {sourceExecution: broken, fromFailure: true}\n"));
  ASSERT_EQ(waitTerminal("from-failure"), "Succeeded") << execution("from-failure").serialize();
  EXPECT_EQ(jobStepsOf(*client_, ns_, "from-failure"), (std::vector<std::string>{"Evaluate", "Register"}));
  value ff = execution("from-failure");
  EXPECT_EQ(stringAt(*stepStatus(ff, "Train"), {"reusedFrom", "execution"}), "broken");
  // (3c) fromSteps: the same selection, named.
  apply(execYaml("from-steps", "abalone", "  selectiveExecution: {sourceExecution: broken, fromSteps: [Evaluate]}\n"));
  ASSERT_EQ(waitTerminal("from-steps"), "Succeeded");
  EXPECT_EQ(jobStepsOf(*client_, ns_, "from-steps"), (std::vector<std::string>{"Evaluate", "Register"}));

  // (4) Train + Evaluate + MSECheck + FailNotify with a threshold below the
  // mse: the gate takes its else branch and FailNotify fails the run. A new
  // XGBNumRounds keeps Train from being a cache hit (it caches for P30D).
  apply(execYaml("gate", "abalone",
                 "  parameters: [{name: MseThreshold, value: \"1\"}, {name: XGBNumRounds, value: \"130\"}]\n"
                 "  selectiveExecution: {sourceExecution: from-failure,"
                 " selectedSteps: [Train, Evaluate, MSECheck, FailNotify]}\n"));
  ASSERT_EQ(waitTerminal("gate"), "Failed") << execution("gate").serialize();
  value gate = execution("gate");
  EXPECT_EQ(stringAt(gate, {"status", "failureReason"}), "MSE 4.37 is above 1");
  EXPECT_EQ(stringAt(*stepStatus(gate, "MSECheck"), {"condition", "outcome"}), "False");
  EXPECT_EQ(jobStepsOf(*client_, ns_, "gate"), (std::vector<std::string>{"Evaluate", "Train"}));
  // Third link of a chain: Preprocess was produced by "broken", reused by
  // "from-failure", and is reused here from that producer.
  EXPECT_EQ(stringAt(*stepStatus(gate, "Preprocess"), {"reusedFrom", "execution"}), "broken");

  std::string metrics;
  ASSERT_EQ(runCommand({"/usr/bin/curl", "-sf", "http://127.0.0.1:" + std::to_string(metricsPort) + "/metrics"}, &metrics), 0);
  EXPECT_NE(metrics.find("sluice_jobs_created_total"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("sluice_steps_total{event=\"reused\"}"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("sluice_executions{phase=\"Failed\"} 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("sluice_reconcile_duration_seconds_bucket"), std::string::npos);
  // Every reconcile above was handed out by the queue, so its wait was observed.
  const std::string waitCount = "sluice_workqueue_queue_duration_seconds_count{queue=\"executions\"} ";
  auto at = metrics.find(waitCount);
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GT(std::stod(metrics.substr(at + waitCount.size())), 0.0) << metrics;
}

}  // namespace
}  // namespace sluice::testing

// The Job manifest of a container step: name, labels, owner, retries,
// deadline, resources, GPU limit and toleration (GPU steps only),
// pass-through scheduling fields, env with output URIs, argv tokens.
#include <gtest/gtest.h>

#include <map>

#include <regex>
#include <set>

#include "fixtures_abalone.h"
#include "job_spec.h"

namespace sluice::pipeline {
namespace {

using web::json::value;
using namespace sluice::pipeline::testing;

const JobOwner kOwner{"ml", "abalone", "abalone-7f2kq", "uid-7f2kq"};

RenderedStep rendered(const StepSpec& s) {
  RenderedStep r;
  r.image = s.container->image;
  r.command = s.container->command;
  r.args = s.container->args;
  for (const auto& o : s.outputs) r.outputs.push_back({o.name, "s3://b/p/" + o.name + "/", std::nullopt, ""});
  for (const auto& i : s.inputs) r.inputs.push_back({i.name, "s3://b/in/" + i.name + "/", i.path});
  return r;
}

value build(const StepSpec& s, const PlanOptions& options = {}) {
  const Pipeline p = abalonePipeline();
  auto m = buildJobManifest(kOwner, s, p.spec.defaults, p.spec.artifactStore, rendered(s), options);
  if (auto* err = std::get_if<std::string>(&m)) {
    ADD_FAILURE() << *err;
    return value::object();
  }
  return std::get<value>(m);
}

const value& podSpec(const value& job) { return job.at("spec").at("template").at("spec"); }
const value& mainContainer(const value& job) { return podSpec(job).at("containers").at(0); }

std::string envValue(const value& job, const std::string& name) {
  for (const auto& e : mainContainer(job).at("env").as_array())
    if (e.at("name").as_string() == name && e.has_field("value")) return e.at("value").as_string();
  return "<absent>";
}

TEST(JobSpec, NameIsDeterministicDnsLabelWithinSixtyThreeCharacters) {
  const std::regex dns("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  const std::string longExec(200, 'e');
  const std::string longStep = std::string(64, 'S');
  struct Row {
    std::string exec, uid, step, prefix;
  };
  const std::vector<Row> rows = {
      {"abalone-7f2kq", "u1", "Train", "abalone-7f2kq-train-"},
      {"abalone-7f2kq", "u1", "Fail_Notify", "abalone-7f2kq-fail-notify-"},
      {"abalone.v2", "u1", "Train", "abalone-v2-train-"},
      {longExec, "u1", "Train", std::string(48, 'e') + "-train-"},
      {"abalone", "u1", longStep, "abalone-" + std::string(20, 's') + "-"},
      {longExec, "u1", longStep, std::string(33, 'e') + "-" + std::string(20, 's') + "-"},
      {"x", "u1", "-_-", "x-"},
  };
  for (const auto& row : rows) {
    const std::string n = jobName(row.exec, row.uid, row.step);
    EXPECT_LE(n.size(), 63u) << n;
    EXPECT_TRUE(std::regex_match(n, dns)) << n;
    EXPECT_EQ(n.rfind(row.prefix, 0), 0u) << n;
    EXPECT_EQ(n.size(), row.prefix.size() + 8) << n;
    EXPECT_EQ(jobName(row.exec, row.uid, row.step), n) << "not deterministic";
  }
  // Names that read alike still differ; so do executions recreated under the same name.
  std::set<std::string> names = {jobName("x", "u", "Train"), jobName("x", "u", "train"), jobName("x", "u", "Tra_in"),
                                 jobName("x", "u", "Tra-in"), jobName("x", "u2", "Train")};
  EXPECT_EQ(names.size(), 5u);
}

TEST(JobSpec, MetadataLabelsAndOwnerReference) {
  const value job = build(abalonePipeline().spec.steps[1]);
  const value& meta = job.at("metadata");
  EXPECT_EQ(job.at("apiVersion").as_string(), "batch/v1");
  EXPECT_EQ(job.at("kind").as_string(), "Job");
  EXPECT_EQ(meta.at("name").as_string(), jobName("abalone-7f2kq", "uid-7f2kq", "Train"));
  EXPECT_EQ(meta.at("namespace").as_string(), "ml");
  EXPECT_EQ(meta.at("labels").at("sluice.dev/pipeline").as_string(), "abalone");
  EXPECT_EQ(meta.at("labels").at("sluice.dev/execution").as_string(), "abalone-7f2kq");
  EXPECT_EQ(meta.at("labels").at("sluice.dev/step").as_string(), "Train");
  EXPECT_EQ(meta.at("annotations").at("sluice.dev/step").as_string(), "Train");
  EXPECT_EQ(job.at("spec").at("template").at("metadata").at("labels").at("sluice.dev/execution").as_string(),
            "abalone-7f2kq");
  const value& owner = meta.at("ownerReferences").at(0);
  EXPECT_EQ(owner.at("apiVersion").as_string(), "sluice.dev/v1alpha1");
  EXPECT_EQ(owner.at("kind").as_string(), "PipelineExecution");
  EXPECT_EQ(owner.at("name").as_string(), "abalone-7f2kq");
  EXPECT_EQ(owner.at("uid").as_string(), "uid-7f2kq");
  EXPECT_TRUE(owner.at("controller").as_bool());
  EXPECT_TRUE(owner.at("blockOwnerDeletion").as_bool());
}

TEST(JobSpec, RetriesTimeoutRestartPolicyAndServiceAccount) {
  const auto steps = abalonePipeline().spec.steps;
  const value train = build(steps[1]);
  EXPECT_EQ(train.at("spec").at("backoffLimit").as_integer(), 2);
  EXPECT_EQ(train.at("spec").at("activeDeadlineSeconds").as_integer(), 7200);
  EXPECT_EQ(podSpec(train).at("restartPolicy").as_string(), "Never");
  EXPECT_EQ(podSpec(train).at("serviceAccountName").as_string(), "pipeline-steps");
  EXPECT_EQ(mainContainer(train).at("terminationMessagePolicy").as_string(), "File");

  const value pre = build(steps[0]);
  EXPECT_EQ(pre.at("spec").at("backoffLimit").as_integer(), 0);  // pipeline default maxAttempts 1
  EXPECT_FALSE(pre.at("spec").has_field("activeDeadlineSeconds"));

  StepSpec own = steps[0];
  own.serviceAccountName = "special";
  own.retry = RetrySpec{50};  // clamped to 20
  const value o = build(own);
  EXPECT_EQ(podSpec(o).at("serviceAccountName").as_string(), "special");
  EXPECT_FALSE(podSpec(o).has_field("automountServiceAccountToken")) << "a chosen ServiceAccount keeps its token";
  EXPECT_EQ(o.at("spec").at("backoffLimit").as_integer(), 19);

  // No ServiceAccount chosen anywhere: no token for the namespace's default one.
  auto none = abalonePipeline().spec.defaults;
  none.serviceAccountName.clear();
  auto anon = buildJobManifest(kOwner, steps[0], none, abalonePipeline().spec.artifactStore, rendered(steps[0]), {});
  ASSERT_TRUE(std::holds_alternative<value>(anon));
  EXPECT_FALSE(podSpec(std::get<value>(anon)).has_field("serviceAccountName"));
  EXPECT_FALSE(podSpec(std::get<value>(anon)).at("automountServiceAccountToken").as_bool());

  StepSpec badTimeout = steps[0];
  badTimeout.timeout = "two hours";
  const Pipeline p = abalonePipeline();
  auto m = buildJobManifest(kOwner, badTimeout, p.spec.defaults, p.spec.artifactStore, rendered(badTimeout), {});
  ASSERT_TRUE(std::holds_alternative<std::string>(m));
  EXPECT_NE(std::get<std::string>(m).find("timeout \"two hours\""), std::string::npos);
}

TEST(JobSpec, GpuLimitAndTolerationOnlyOnGpuSteps) {
  const auto steps = abalonePipeline().spec.steps;
  const value train = build(steps[1]);
  const value& res = mainContainer(train).at("resources");
  EXPECT_EQ(res.at("requests").at("cpu").as_string(), "4");
  EXPECT_EQ(res.at("requests").at("memory").as_string(), "8Gi");
  EXPECT_EQ(res.at("limits").at("memory").as_string(), "8Gi");
  EXPECT_EQ(res.at("limits").at("nvidia.com/gpu").as_string(), "1");
  EXPECT_FALSE(res.at("requests").has_field("nvidia.com/gpu"));
  const value& tol = podSpec(train).at("tolerations");
  ASSERT_EQ(tol.size(), 1u);
  EXPECT_EQ(tol.at(0).at("key").as_string(), "nvidia.com/gpu");
  EXPECT_EQ(tol.at(0).at("operator").as_string(), "Exists");
  EXPECT_EQ(tol.at(0).at("effect").as_string(), "NoSchedule");

  for (size_t i : {0u, 2u, 4u}) {
    const value job = build(steps[i]);
    EXPECT_FALSE(podSpec(job).has_field("tolerations")) << steps[i].name;
    EXPECT_EQ(job.serialize().find("nvidia.com/gpu"), std::string::npos) << steps[i].name;
  }
  EXPECT_FALSE(mainContainer(build(steps[4])).has_field("resources")) << "Register asks for nothing";

  PlanOptions amd;
  amd.gpuResourceName = "amd.com/gpu";
  const value other = build(steps[1], amd);
  EXPECT_EQ(mainContainer(other).at("resources").at("limits").at("amd.com/gpu").as_string(), "1");
  EXPECT_FALSE(mainContainer(other).at("resources").at("limits").has_field("nvidia.com/gpu"));
}

TEST(JobSpec, SchedulingFieldsPassThrough) {
  StepSpec s = abalonePipeline().spec.steps[1];
  s.pod.nodeSelector = {{"pool", "gpu"}};
  s.pod.tolerationsJson = R"([{"key":"dedicated","operator":"Equal","value":"ml","effect":"NoSchedule"}])";
  s.pod.affinityJson = R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[]}}})";
  const value job = build(s);
  EXPECT_EQ(podSpec(job).at("nodeSelector").at("pool").as_string(), "gpu");
  const value& tol = podSpec(job).at("tolerations");
  ASSERT_EQ(tol.size(), 2u);
  EXPECT_EQ(tol.at(0).at("key").as_string(), "dedicated");
  EXPECT_EQ(tol.at(1).at("key").as_string(), "nvidia.com/gpu");
  EXPECT_TRUE(podSpec(job).at("affinity").has_field("nodeAffinity"));

  StepSpec bad = s;
  bad.pod.tolerationsJson = "{not json";
  const Pipeline p = abalonePipeline();
  auto m = buildJobManifest(kOwner, bad, p.spec.defaults, p.spec.artifactStore, rendered(bad), {});
  ASSERT_TRUE(std::holds_alternative<std::string>(m));
  EXPECT_EQ(std::get<std::string>(m), "tolerations is not valid JSON");
}

TEST(JobSpec, EnvCarriesOutputAndInputUrisStagingSpecAndSecretRefsOnly) {
  const value job = build(abalonePipeline().spec.steps[0]);
  EXPECT_EQ(envValue(job, "SLUICE_OUTPUT_TRAIN"), "s3://b/p/train/");
  EXPECT_EQ(envValue(job, "SLUICE_OUTPUT_TEST"), "s3://b/p/test/");
  const value staging = value::parse(envValue(job, "SLUICE_STAGING"));
  EXPECT_EQ(staging.at("outputs").at(0).at("path").as_string(), "/opt/ml/processing/train");
  EXPECT_EQ(staging.at("outputs").at(0).at("uri").as_string(), "s3://b/p/train/");
  EXPECT_EQ(staging.at("store").at("endpoint").as_string(), "http://minio.minio:9000");
  EXPECT_EQ(staging.at("store").at("region").as_string(), "us-east-1");
  EXPECT_TRUE(staging.at("store").at("forcePathStyle").as_bool());
  bool secretRef = false;
  for (const auto& e : mainContainer(job).at("env").as_array())
    if (e.at("name").as_string() == "AWS_SECRET_ACCESS_KEY") {
      EXPECT_FALSE(e.has_field("value")) << "a secret value in the manifest";
      EXPECT_EQ(e.at("valueFrom").at("secretKeyRef").at("name").as_string(), "s3-creds");
      secretRef = true;
    }
  EXPECT_TRUE(secretRef);

  const value train = build(abalonePipeline().spec.steps[1]);
  EXPECT_EQ(envValue(train, "SLUICE_INPUT_TRAIN"), "s3://b/in/train/");
  EXPECT_EQ(outputEnvName("eval-metrics.v2"), "SLUICE_OUTPUT_EVAL_METRICS_V2");
}

TEST(JobSpec, ArgsAreWholeArgvTokens) {
  StepSpec s = abalonePipeline().spec.steps[0];
  RenderedStep r = rendered(s);
  r.args = {"--input", "a file; rm -rf / $(x) `y`"};
  const Pipeline p = abalonePipeline();
  auto m = buildJobManifest(kOwner, s, p.spec.defaults, p.spec.artifactStore, r, {});
  ASSERT_TRUE(std::holds_alternative<value>(m));
  const value& args = mainContainer(std::get<value>(m)).at("args");
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args.at(1).as_string(), "a file; rm -rf / $$(x) `y`") << "$ doubled for the kubelet (next test)";
  EXPECT_EQ(mainContainer(std::get<value>(m)).at("command").at(0).as_string(), "python");
}

// What the kubelet does to command, args and env values before the program
// sees them (k8s.io/kubernetes third_party/forked/golang/expansion): "$$"
// becomes "$", "$(NAME)" becomes NAME's value when the container defines
// it, anything else stays as it is.
std::string kubeletExpand(const std::string& in, const std::map<std::string, std::string>& env) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$' || i + 1 == in.size()) {
      out += in[i];
      continue;
    }
    if (in[i + 1] == '$') {
      out += '$';
      ++i;
    } else if (in[i + 1] == '(') {
      auto close = in.find(')', i + 2);
      auto it = close == std::string::npos ? env.end() : env.find(in.substr(i + 2, close - i - 2));
      if (it == env.end()) {
        out += in[i];
        continue;
      }
      out += it->second;
      i = close;
    } else {
      out += in[i];
    }
  }
  return out;
}

TEST(JobSpec, ValuesReachTheProgramExactlyDespiteTheKubeletsExpansion) {
  const std::map<std::string, std::string> env = {{"AWS_SECRET_ACCESS_KEY", "s3cr3t"}, {"HOME", "/root"}};
  ASSERT_EQ(kubeletExpand("$(HOME)/x $$ $(NOPE)", env), "/root/x $ $(NOPE)");  // the model itself
  const std::vector<std::string> nasty = {"$(AWS_SECRET_ACCESS_KEY)", "$$(HOME)", "cost$5", "$", "$$", "$(", "a$$$(HOME)b"};
  StepSpec s = abalonePipeline().spec.steps[0];
  RenderedStep r = rendered(s);
  r.args = nasty;
  r.env = {{"NOTE", "$(AWS_SECRET_ACCESS_KEY)"}};
  PlanOptions runner;
  runner.runnerImage = "registry.example/sluice-runner:1";
  for (const PlanOptions& options : {PlanOptions{}, runner}) {
    const Pipeline p = abalonePipeline();
    auto m = buildJobManifest(kOwner, s, p.spec.defaults, p.spec.artifactStore, r, options);
    ASSERT_TRUE(std::holds_alternative<value>(m));
    const value& args = mainContainer(std::get<value>(m)).at("args");
    std::vector<std::string> seen;
    for (const auto& a : args.as_array()) seen.push_back(kubeletExpand(a.as_string(), env));
    std::vector<std::string> want = nasty;
    if (!options.runnerImage.empty()) want.insert(want.begin(), r.command.begin(), r.command.end());
    EXPECT_EQ(seen, want) << "runner: " << !options.runnerImage.empty();
    EXPECT_EQ(kubeletExpand(envValue(std::get<value>(m), "NOTE"), env), "$(AWS_SECRET_ACCESS_KEY)");
  }
}

TEST(JobSpec, RunnerWrapsTheCommandStagesPathsAndIsAnnotatedWhenAbsent) {
  PlanOptions withRunner;
  withRunner.runnerImage = "registry.example/sluice-runner:0.1";
  const auto steps = abalonePipeline().spec.steps;
  const value train = build(steps[1], withRunner);
  const value& c = mainContainer(train);
  EXPECT_EQ(c.at("command").serialize(), R"(["/sluice/bin/ld.so","/sluice/bin/sluice-runner","exec","--"])");
  // (rendered() here leaves the expressions in; every $ is doubled for the kubelet)
  EXPECT_EQ(c.at("args").serialize(), R"j(["python","train.py","--num-round","$$(params.XGBNumRounds)","--eta","$$(params.XGBETA)"])j")
      << "the step's own argv follows '--'";
  const value& init = podSpec(train).at("initContainers").at(0);
  EXPECT_EQ(init.at("image").as_string(), "registry.example/sluice-runner:0.1");
  EXPECT_EQ(init.at("command").serialize(), R"(["/sluice-runner","init","/sluice/bin"])");
  std::set<std::string> mounts;
  for (const auto& m : c.at("volumeMounts").as_array()) mounts.insert(m.at("mountPath").as_string());
  EXPECT_EQ(mounts, (std::set<std::string>{"/sluice/bin", "/opt/ml/input/data/train", "/opt/ml/model"}));
  EXPECT_EQ(podSpec(train).at("volumes").size(), 2u);
  EXPECT_FALSE(train.at("metadata").at("annotations").has_field("sluice.dev/runner"));

  // Register has no command: it runs its image's entrypoint, unwrapped, and says so.
  const value reg = build(steps[4], withRunner);
  EXPECT_FALSE(mainContainer(reg).has_field("command"));
  EXPECT_FALSE(podSpec(reg).has_field("initContainers"));
  EXPECT_EQ(reg.at("metadata").at("annotations").at("sluice.dev/runner").as_string(), "none");

  // ...which is impossible when there is something to stage.
  StepSpec noCommand = steps[1];
  noCommand.container->command.clear();
  const Pipeline p = abalonePipeline();
  auto m = buildJobManifest(kOwner, noCommand, p.spec.defaults, p.spec.artifactStore, rendered(noCommand), withRunner);
  ASSERT_TRUE(std::holds_alternative<std::string>(m));
  EXPECT_NE(std::get<std::string>(m).find("container.command is required"), std::string::npos);
}

TEST(JobSpec, LabelValuesAreValid) {
  EXPECT_EQ(labelValue("Train"), "Train");
  EXPECT_EQ(labelValue("_x_"), "x");
  EXPECT_EQ(labelValue(std::string(64, 'a')).size(), 63u);
  EXPECT_EQ(labelValue("a/b"), "a-b");
}

}  // namespace
}  // namespace sluice::pipeline

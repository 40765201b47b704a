#include "operator_fixture.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "kube/config.h"
#include "controller/json_access.h"

namespace sluice::testing {

using web::json::value;

namespace {

using sluice::controller::stringAt;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string randomSuffix() {
  static std::mt19937 rng{std::random_device{}()};
  std::string s;
  for (int i = 0; i < 6; ++i) s += "abcdefghijklmnopqrstuvwxyz0123456789"[rng() % 36];
  return s;
}

int kubectl(const std::vector<std::string>& args, std::string* out = nullptr) {
  std::vector<std::string> argv = {env("SLUICE_TEST_KUBECTL"), "--kubeconfig", env("SLUICE_TEST_KUBECONFIG")};
  argv.insert(argv.end(), args.begin(), args.end());
  return runCommand(argv, out);
}

}  // namespace

std::string execYaml(const std::string& name, const std::string& pipeline, const std::string& extraSpec) {
  return "apiVersion: sluice.dev/v1alpha1\nkind: PipelineExecution\nmetadata: {name: " + name +
         "}\nspec:\n  pipelineRef: {name: " + pipeline + "}\n" + extraSpec;
}

std::string linearPipelineYaml(const std::string& name, int steps) {
  std::string yaml = "apiVersion: sluice.dev/v1alpha1\nkind: Pipeline\nmetadata: {name: " + name +
                     "}\nspec:\n  defaults: {serviceAccountName: pipeline-steps}\n  steps:\n";
  for (int i = 0; i < steps; ++i) {
    const std::string step(1, static_cast<char>('A' + i)), image(1, static_cast<char>('a' + i));
    yaml += "  - {name: " + step + ", container: {image: registry.example/" + image + ":1}" +
            (i > 0 ? ", dependsOn: [" + std::string(1, static_cast<char>('A' + i - 1)) + "]" : "") + "}\n";
  }
  return yaml;
}

FakeKubelet::Script holding(const std::string& held) {
  return [held](const std::string& step) {
    StepBehaviour b;
    b.hold = step == held;
    return b;
  };
}

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int linesWith(const std::string& path, const std::string& needle) {
  std::ifstream f(path);
  std::string line;
  int n = 0;
  while (std::getline(f, line)) n += line.find(needle) != std::string::npos;
  return n;
}

void OperatorTest::SetUpTestSuite() {
  if (env("SLUICE_TEST_KUBECONFIG").empty() || env("SLUICE_TEST_KUBECTL").empty()) return;  // SetUp fails
  std::string out;
  ASSERT_EQ(kubectl({"apply", "--server-side", "--force-conflicts", "-f", SLUICE_SOURCE_DIR "/crds"}, &out), 0) << out;
  ASSERT_EQ(kubectl({"wait", "--for=condition=Established", "--timeout=60s", "crd/pipelines.sluice.dev",
                     "crd/pipelineexecutions.sluice.dev"},
                    &out),
            0)
      << out;
}

void OperatorTest::SetUp() {
  kubeconfig_ = env("SLUICE_TEST_KUBECONFIG");
  if (kubeconfig_.empty() || env("SLUICE_TEST_KUBECTL").empty()) {
    FAIL() << "SLUICE_TEST_KUBECONFIG / SLUICE_TEST_KUBECTL are not set: start the cluster with "
              "tests/cluster/up.sh and source its env file";
  }
  auto config = kube::load_kubeconfig(kubeconfig_);
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  kube::ClientOptions o;
  o.qps = 1000;
  o.burst = 1000;
  auto c = kube::Client::create(std::move(config).value(), o);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  client_ = c.value();
  ns_ = "op-" + randomSuffix();
  value nsObj;
  nsObj["apiVersion"] = value::string("v1");
  nsObj["kind"] = value::string("Namespace");
  nsObj["metadata"]["name"] = value::string(ns_);
  ASSERT_TRUE(client_->create(kube::resources::namespaces(), "", nsObj).ok());
  // Without a controller-manager nobody makes the ServiceAccounts pods need
  // (with one, "default" may already exist).
  for (const char* sa : {"default", "pipeline-steps"}) {
    value s;
    s["apiVersion"] = value::string("v1");
    s["kind"] = value::string("ServiceAccount");
    s["metadata"]["name"] = value::string(sa);
    auto created = client_->create({"", "v1", "serviceaccounts", true}, ns_, s);
    ASSERT_TRUE(created.ok() || created.error().kind == kube::ErrorKind::AlreadyExists)
        << created.error().to_string();
  }
}

void OperatorTest::TearDown() {
  if (kubelet_) kubelet_->stop();
  if (operator_ && operator_->running()) {
    EXPECT_EQ(stopOperator(), 0) << "operator must exit 0 on SIGTERM";
  }
  if (client_ && !ns_.empty()) (void)client_->remove(kube::resources::namespaces(), "", ns_);
}

std::string OperatorTest::logPath(const std::string& logName) const {
  return std::string(SLUICE_TEST_LOG_DIR) + "/" + ns_ + "-" + logName + ".log";
}

std::unique_ptr<Process> OperatorTest::spawnOperator(const std::string& logName,
                                                     const std::vector<std::string>& extraArgs) {
  std::vector<std::string> argv{SLUICE_OPERATOR_BIN, "--kubeconfig", kubeconfig_, "--namespace", ns_,
                                "--metrics-bind-address", "0", "--health-probe-bind-address", "0",
                                "--runner-image", "registry.example/sluice-runner:test", "--workers", "4",
                                "--kube-api-qps", "200", "--kube-api-burst", "400"};
  argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
  return std::make_unique<Process>(argv, logPath(logName));
}

void OperatorTest::startOperator(const std::string& logName, const std::vector<std::string>& extraArgs) {
  operator_ = spawnOperator(logName, extraArgs);
}

int OperatorTest::stopOperator() {
  operator_->signal(SIGTERM);
  return operator_->wait(30000);
}

void OperatorTest::startKubelet(FakeKubelet::Script script) {
  kubelet_ = std::make_unique<FakeKubelet>(client_, ns_, std::move(script));
  kubelet_->start();
}

void OperatorTest::apply(const std::string& yaml) {
  char path[] = "/tmp/sluice-manifest-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    std::ofstream f(path);
    f << yaml;
  }
  std::string out;
  int rc = kubectl({"apply", "-n", ns_, "-f", path}, &out);
  ::unlink(path);
  ASSERT_EQ(rc, 0) << out;
}

value OperatorTest::execution(const std::string& name) {
  auto r = client_->get({"sluice.dev", "v1alpha1", "pipelineexecutions", true}, ns_, name);
  return r.ok() ? r.value() : value::object();
}

std::string OperatorTest::phase(const std::string& name) { return stringAt(execution(name), {"status", "phase"}); }

std::string OperatorTest::waitTerminal(const std::string& name, std::chrono::seconds timeout) {
  std::string p;
  eventually(
      [&] {
        p = phase(name);
        return p == "Succeeded" || p == "Failed" || p == "Stopped";
      },
      timeout);
  return p;
}

const value* OperatorTest::stepStatus(const value& exec, const std::string& step) {
  if (!exec.has_field("status") || !exec.at("status").has_field("steps")) return nullptr;
  for (const auto& s : exec.at("status").at("steps").as_array()) {
    if (stringAt(s, {"name"}) == step) return &s;
  }
  return nullptr;
}

std::vector<std::string> OperatorTest::jobSteps(const std::string& execution) {
  std::vector<std::string> steps;
  kube::ListOptions o;
  if (!execution.empty()) o.label_selector = "sluice.dev/execution=" + execution;
  auto r = client_->list(kube::resources::jobs(), ns_, o);
  if (!r.ok()) return steps;
  for (const auto& j : r->items) steps.push_back(stringAt(j, {"metadata", "annotations", "sluice.dev/step"}));
  std::sort(steps.begin(), steps.end());
  return steps;
}

}  // namespace sluice::testing

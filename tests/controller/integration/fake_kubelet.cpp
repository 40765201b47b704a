#include "fake_kubelet.h"

#include <cctype>
#include <chrono>
#include <ctime>

#include "controller/json_access.h"
#include "job_pod.h"
#include "pipeline/plan_time.h"

namespace sluice::testing {

using web::json::value;

namespace {

using sluice::controller::stringAt;

// The pod's name suffix, from the Job's UID rather than at random (the Job
// controller's is random): a create whose answer was lost to an API server
// restart is retried under the same name and answers AlreadyExists, instead
// of leaving a second pod for the Job.
std::string suffixFor(const value& job) {
  std::string s;
  const std::string uid = stringAt(job, {"metadata", "uid"});
  for (auto it = uid.rbegin(); it != uid.rend() && s.size() < 5; ++it)
    if (std::isalnum(static_cast<unsigned char>(*it))) s += *it;
  return s;
}

// The main container of a pod spec.
const value* mainContainer(const value& spec) {
  if (!spec.has_field("containers")) return nullptr;
  for (const auto& c : spec.at("containers").as_array()) {
    if (stringAt(c, {"name"}) == "main") return &c;
  }
  return spec.at("containers").size() ? &spec.at("containers").as_array().at(0) : nullptr;
}

// What sluice-runner would report: every output of the staging spec.
std::string terminationMessage(const value& podSpec, const StepBehaviour& b) {
  value msg = value::object();
  msg["exitCode"] = value::number(b.exitCode);
  std::vector<value> outputs;
  if (const value* c = mainContainer(podSpec); c && c->has_field("env")) {
    for (const auto& e : c->at("env").as_array()) {
      if (stringAt(e, {"name"}) != "SLUICE_STAGING") continue;
      value staging = value::parse(stringAt(e, {"value"}));
      if (staging.has_field("outputs")) {
        for (const auto& o : staging.at("outputs").as_array()) {
          value out;
          out["name"] = o.at("name");
          out["uri"] = o.at("uri");
          out["size"] = value::number(42);
          out["sha256"] = value::string(std::string(64, 'a'));
          outputs.push_back(out);
        }
      }
    }
  }
  if (b.exitCode == 0) {
    msg["outputs"] = value::array(outputs);
    std::vector<value> props;
    for (const auto& [k, v] : b.properties) {
      value p;
      p["name"] = value::string(k);
      p["value"] = value::string(v);
      props.push_back(p);
    }
    msg["properties"] = value::array(props);
  } else {
    msg["error"] = value::string("exit code " + std::to_string(b.exitCode));
  }
  return msg.serialize();
}

}  // namespace

FakeKubelet::FakeKubelet(std::shared_ptr<kube::Client> client, std::string ns, Script script)
    : client_(std::move(client)), ns_(std::move(ns)), script_(std::move(script)) {}

FakeKubelet::~FakeKubelet() { stop(); }

void FakeKubelet::start() { thread_ = std::thread([this] { loop(); }); }

void FakeKubelet::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<std::string> FakeKubelet::stepsStarted() const {
  std::lock_guard<std::mutex> l(mu_);
  return started_;
}

void FakeKubelet::release(const std::string& step) {
  std::lock_guard<std::mutex> l(mu_);
  released_.insert(step);
}

void FakeKubelet::loop() {
  while (!stop_) {
    tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool FakeKubelet::createPod(const value& job, std::string& podName) {
  const std::string jobName = stringAt(job, {"metadata", "name"});
  podName = jobName.substr(0, 50) + "-" + suffixFor(job);
  value pod = podForJob(job, podName, "fake-node");
  auto r = client_->create(kube::resources::pods(), ns_, pod);
  return r.ok() || r.error().is(kube::ErrorKind::AlreadyExists);
}

bool FakeKubelet::finishPod(const std::string& podName, const value& job, const StepBehaviour& b) {
  auto got = client_->get(kube::resources::pods(), ns_, podName);
  if (!got.ok()) return false;
  value pod = got.value();
  const std::string now = sluice::pipeline::formatRfc3339(std::time(nullptr));
  value cs;
  cs["name"] = value::string("main");
  cs["ready"] = value::boolean(false);
  cs["restartCount"] = value::number(0);
  cs["image"] = value::string(stringAt(*mainContainer(pod.at("spec")), {"image"}));
  cs["imageID"] = value::string("");
  cs["state"]["terminated"]["exitCode"] = value::number(b.exitCode);
  cs["state"]["terminated"]["reason"] = value::string(b.exitCode == 0 ? "Completed" : "Error");
  cs["state"]["terminated"]["message"] = value::string(terminationMessage(job.at("spec").at("template").at("spec"), b));
  cs["state"]["terminated"]["startedAt"] = value::string(now);
  cs["state"]["terminated"]["finishedAt"] = value::string(now);
  pod["status"]["phase"] = value::string(b.exitCode == 0 ? "Succeeded" : "Failed");
  pod["status"]["startTime"] = value::string(now);
  pod["status"]["containerStatuses"] = value::array({cs});
  return client_->update_status(kube::resources::pods(), ns_, pod).ok();
}

void FakeKubelet::tick() {
  kube::ListOptions opts;
  opts.label_selector = "sluice.dev/execution";
  auto jobs = client_->list(kube::resources::jobs(), ns_, opts);
  if (!jobs.ok()) return;
  int running = 0;
  for (const auto& job : jobs->items) {
    const std::string name = stringAt(job, {"metadata", "name"});
    const std::string step = stringAt(job, {"metadata", "annotations", "sluice.dev/step"});
    if (!stringAt(job, {"metadata", "deletionTimestamp"}).empty()) continue;
    std::string pod;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (finished_.count(name)) continue;
      auto it = podOfJob_.find(name);
      if (it != podOfJob_.end()) pod = it->second;
    }
    if (pod.empty()) {
      if (!createPod(job, pod)) continue;
      std::lock_guard<std::mutex> l(mu_);
      podOfJob_[name] = pod;
      stepOfJob_[name] = step;
      started_.push_back(step);
    }
    StepBehaviour b = script_(step);
    bool released;
    {
      std::lock_guard<std::mutex> l(mu_);
      released = released_.count(step) > 0;
    }
    if (b.hold && !released) {
      ++running;
      continue;
    }
    // A write lost to an API server restart is tried again next tick.
    if (!finishPod(pod, job, b)) continue;
    std::lock_guard<std::mutex> l(mu_);
    finished_.insert(name);
  }
  if (running > maxRunning_) maxRunning_ = running;
}

}  // namespace sluice::testing

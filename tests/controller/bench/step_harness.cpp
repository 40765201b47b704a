#include "step_harness.h"
#include "controller/json_access.h"
#include "job_pod.h"
#include "pipeline/plan_time.h"

namespace sluice::bench {

using web::json::value;

namespace {

using sluice::controller::stringAt;

// A pod's step: the Job's pod template carries it as a label (a Job as an
// annotation, where names of 64 characters fit).
std::string podStep(const value& pod) {
  const std::string annotated = stringAt(pod, {"metadata", "annotations", "sluice.dev/step"});
  return annotated.empty() ? stringAt(pod, {"metadata", "labels", "sluice.dev/step"}) : annotated;
}

// What a kubelet writes when the main container exits 0 after sluice-runner
// reported a step with no outputs and no properties.
void markSucceeded(value& pod) {
  const std::string now = sluice::pipeline::formatRfc3339(std::time(nullptr));
  std::string image;
  for (const auto& c : pod.at("spec").at("containers").as_array()) {
    if (stringAt(c, {"name"}) == "main" || image.empty()) image = stringAt(c, {"image"});
  }
  value cs;
  cs["name"] = value::string("main");
  cs["ready"] = value::boolean(false);
  cs["restartCount"] = value::number(0);
  cs["image"] = value::string(image);
  cs["imageID"] = value::string("");
  cs["state"]["terminated"]["exitCode"] = value::number(0);
  cs["state"]["terminated"]["reason"] = value::string("Completed");
  cs["state"]["terminated"]["message"] = value::string(R"({"exitCode":0,"outputs":[],"properties":[]})");
  cs["state"]["terminated"]["startedAt"] = value::string(now);
  cs["state"]["terminated"]["finishedAt"] = value::string(now);
  pod["status"] = value::object();
  pod["status"]["phase"] = value::string("Succeeded");
  pod["status"]["startTime"] = value::string(now);
  pod["status"]["containerStatuses"] = value::array({cs});
}

}  // namespace

StepHarness::StepHarness(std::shared_ptr<kube::Client> client, std::string ns, int threads, bool fullCluster)
    : client_(client),
      ns_(ns),
      threads_(threads),
      fullCluster_(fullCluster),
      watch_(client, kube::resources::jobs(), ns, "sluice.dev/execution",
             [this](const kube::WatchEvent& e) { onJob(e); }) {
  if (fullCluster_)
    podWatch_ = std::make_unique<WatchLoop>(client, kube::resources::pods(), ns, "sluice.dev/execution",
                                            [this](const kube::WatchEvent& e) { onPod(e); });
}

StepHarness::~StepHarness() { stop(); }

void StepHarness::start() {
  for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { work(); });
  watch_.start();
  if (podWatch_) podWatch_->start();
}

void StepHarness::stop() {
  watch_.stop();
  if (podWatch_) podWatch_->stop();
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

void StepHarness::onJob(const kube::WatchEvent& e) {
  if (e.type != kube::WatchEventType::Added) return;
  const auto now = Clock::now();  // first thing: this is the measured instant
  const std::string name = kube::object_name(e.object);
  const std::string exec = stringAt(e.object, {"metadata", "labels", "sluice.dev/execution"});
  const std::string step = stringAt(e.object, {"metadata", "annotations", "sluice.dev/step"});
  std::lock_guard<std::mutex> l(mu_);
  if (!seen_.insert(name).second) return;  // repeated ADDED after a re-watch
  auto& t = times_[{exec, step}];
  t.job_added = now;
  t.has_job = true;
  if (fullCluster_) return;  // the Job controller makes its pod
  queue_.push_back(e.object);
  cv_.notify_one();
}

void StepHarness::onPod(const kube::WatchEvent& e) {
  if (e.type != kube::WatchEventType::Added && e.type != kube::WatchEventType::Modified) return;
  const auto now = Clock::now();
  const std::string exec = stringAt(e.object, {"metadata", "labels", "sluice.dev/execution"});
  const std::string step = podStep(e.object);
  const std::string phase = stringAt(e.object, {"status", "phase"});
  std::lock_guard<std::mutex> l(mu_);
  auto& t = times_[{exec, step}];
  if (!t.has_pod_added) t.pod_added = now, t.has_pod_added = true;
  if (!t.has_pod_scheduled && !stringAt(e.object, {"spec", "nodeName"}).empty())
    t.pod_scheduled = now, t.has_pod_scheduled = true;
  if (phase != "Running" || !stringAt(e.object, {"metadata", "deletionTimestamp"}).empty()) return;
  if (!t.has_pod_running) t.pod_running = now, t.has_pod_running = true;
  if (!podsQueued_.insert(kube::object_name(e.object)).second) return;
  queue_.push_back(e.object);
  cv_.notify_one();
}

void StepHarness::work() {
  for (;;) {
    value job;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (fullCluster_)
      completeRunning(std::move(job));
    else
      complete(job);
  }
}

// Full-cluster mode: the pod kwok reports Running ends as sluice-runner's
// exit 0 would end it. A conflict (kwok wrote the pod in between) is tried
// again on a fresh read.
void StepHarness::completeRunning(value pod) {
  const std::string exec = stringAt(pod, {"metadata", "labels", "sluice.dev/execution"});
  const std::string step = podStep(pod);
  const std::string name = kube::object_name(pod);
  for (int attempt = 0; attempt < 5; ++attempt) {
    markSucceeded(pod);
    auto written = client_->update_status(kube::resources::pods(), ns_, pod);
    const auto now = Clock::now();
    std::lock_guard<std::mutex> l(mu_);
    ++requests_["PUT pods/status"];
    if (written.ok()) {
      auto& t = times_[{exec, step}];
      t.pod_succeeded = now;
      t.has_pod = true;
      ++succeeded_;
      return;
    }
    if (!written.error().is(kube::ErrorKind::Conflict)) {
      ++failures_;
      last_error_ = exec + "/" + step + ": pod status: " + written.error().to_string();
      return;
    }
    ++requests_["GET pods"];
    auto fresh = client_->get(kube::resources::pods(), ns_, name);
    if (!fresh.ok()) break;
    pod = fresh.value();
  }
  std::lock_guard<std::mutex> l(mu_);
  ++failures_;
  last_error_ = exec + "/" + step + ": pod status kept conflicting";
}

void StepHarness::complete(const value& job) {
  const std::string exec = stringAt(job, {"metadata", "labels", "sluice.dev/execution"});
  const std::string step = stringAt(job, {"metadata", "annotations", "sluice.dev/step"});
  auto fail = [&](const std::string& what) {
    ++failures_;
    std::lock_guard<std::mutex> l(mu_);
    last_error_ = exec + "/" + step + ": " + what;
  };
  auto created = client_->create(kube::resources::pods(), ns_, testing::podForJob(job, stringAt(job, {"metadata", "name"}).substr(0, 57) + "-pod", "bench-node"));
  {
    std::lock_guard<std::mutex> l(mu_);
    ++requests_["POST pods"];
  }
  if (!created.ok()) return fail("create pod: " + created.error().to_string());
  value pod = created.value();
  markSucceeded(pod);
  auto written = client_->update_status(kube::resources::pods(), ns_, pod);
  const auto now = Clock::now();
  std::lock_guard<std::mutex> l(mu_);
  ++requests_["PUT pods/status"];
  if (!written.ok()) {
    ++failures_;
    last_error_ = exec + "/" + step + ": pod status: " + written.error().to_string();
    return;
  }
  auto& t = times_[{exec, step}];
  t.pod_succeeded = now;
  t.has_pod = true;
  ++succeeded_;
}

std::map<std::pair<std::string, std::string>, StepTimes> StepHarness::times() const {
  std::lock_guard<std::mutex> l(mu_);
  return times_;
}

std::string StepHarness::lastError() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_error_;
}

std::map<std::string, long> StepHarness::requests() const {
  std::lock_guard<std::mutex> l(mu_);
  auto r = requests_;
  r["WATCH jobs"] += watch_.requests();
  return r;
}

}  // namespace sluice::bench

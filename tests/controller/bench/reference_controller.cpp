#include "reference_controller.h"

#include "controller/json_access.h"

namespace sluice::bench {

using sluice::controller::stringAt;
using web::json::value;

namespace {

constexpr const char* kRunLabel = "sluice.dev/execution";
constexpr const char* kStepAnnotation = "sluice.dev/step";

// "S7" -> 7; -1 for anything else.
int stepIndex(const std::string& step) {
  if (step.size() < 2 || step[0] != 'S') return -1;
  int n = 0;
  for (size_t i = 1; i < step.size(); ++i) {
    if (step[i] < '0' || step[i] > '9') return -1;
    n = n * 10 + (step[i] - '0');
  }
  return n;
}

}  // namespace

ReferenceController::ReferenceController(std::shared_ptr<kube::Client> client, std::string ns, int steps,
                                         int workers)
    : client_(client),
      ns_(ns),
      steps_(steps),
      workers_count_(workers),
      watch_(client, kube::resources::pods(), ns, kRunLabel, [this](const kube::WatchEvent& e) { onPod(e); }) {}

ReferenceController::~ReferenceController() { stop(); }

value ReferenceController::stepJob(const std::string& run, int step) {
  const std::string stepName = "S" + std::to_string(step);
  value meta;
  meta["labels"][kRunLabel] = value::string(run);
  meta["annotations"][kStepAnnotation] = value::string(stepName);
  value container;
  container["name"] = value::string("main");
  container["image"] = value::string("registry.example/bench-step:1");
  value job;
  job["apiVersion"] = value::string("batch/v1");
  job["kind"] = value::string("Job");
  job["metadata"] = meta;
  job["metadata"]["name"] = value::string(run + "-s" + std::to_string(step));
  job["spec"]["backoffLimit"] = value::number(0);
  job["spec"]["template"]["metadata"] = meta;
  job["spec"]["template"]["spec"]["restartPolicy"] = value::string("Never");
  job["spec"]["template"]["spec"]["containers"] = value::array({container});
  return job;
}

void ReferenceController::start() {
  for (int i = 0; i < workers_count_; ++i) workers_.emplace_back([this] { work(); });
  watch_.start();
}

void ReferenceController::stop() {
  watch_.stop();
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  done_cv_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

bool ReferenceController::startRun(const std::string& run, std::string* error) {
  auto r = client_->create(kube::resources::jobs(), ns_, stepJob(run, 0));
  if (r.ok()) return true;
  ++failures_;
  if (error) *error = r.error().to_string();
  return false;
}

void ReferenceController::onPod(const kube::WatchEvent& e) {
  if (e.type != kube::WatchEventType::Added && e.type != kube::WatchEventType::Modified) return;
  if (stringAt(e.object, {"status", "phase"}) != "Succeeded") return;
  const auto now = Clock::now();
  const std::string run = stringAt(e.object, {"metadata", "labels", kRunLabel});
  const int step = stepIndex(stringAt(e.object, {"metadata", "annotations", kStepAnnotation}));
  if (run.empty() || step < 0) return;
  std::lock_guard<std::mutex> l(mu_);
  if (!handled_.insert(kube::object_name(e.object)).second) return;  // repeated after a re-watch
  if (step + 1 >= steps_) {
    done_.emplace(run, now);
    done_cv_.notify_all();
    return;
  }
  queue_.emplace_back(run, step + 1);
  cv_.notify_one();
}

void ReferenceController::work() {
  for (;;) {
    std::pair<std::string, int> next;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    auto r = client_->create(kube::resources::jobs(), ns_, stepJob(next.first, next.second));
    if (!r.ok() && !r.error().is(kube::ErrorKind::AlreadyExists)) {
      ++failures_;
      std::lock_guard<std::mutex> l(mu_);
      last_error_ = next.first + "/S" + std::to_string(next.second) + ": " + r.error().to_string();
    }
  }
}

bool ReferenceController::waitDone(size_t n, Clock::time_point deadline) {
  std::unique_lock<std::mutex> l(mu_);
  return done_cv_.wait_until(l, deadline, [&] { return stop_ || done_.size() >= n; }) && done_.size() >= n;
}

std::map<std::string, Clock::time_point> ReferenceController::done() const {
  std::lock_guard<std::mutex> l(mu_);
  return done_;
}

std::string ReferenceController::lastError() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_error_;
}

}  // namespace sluice::bench

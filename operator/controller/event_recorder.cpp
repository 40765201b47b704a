#include "event_recorder.h"

#include <chrono>

#include "common/log.h"
#include "pipeline/cache_key.h"
#include "pipeline/plan_time.h"

namespace sluice::controller {

using web::json::value;

EventRecorder::EventRecorder(std::shared_ptr<kube::Client> client, size_t maxQueued)
    : client_(std::move(client)), maxQueued_(maxQueued), thread_([this] { run(); }) {}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
    drainDeadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  }
  cv_.notify_all();
  thread_.join();
}

void EventRecorder::run() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    cv_.wait(l, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    if (stop_ && std::chrono::steady_clock::now() > drainDeadline_) {
      log::warn("shutting down with events not posted", {{"count", std::to_string(queue_.size())}});
      return;
    }
    value ev = std::move(queue_.front());
    queue_.pop_front();
    l.unlock();
    post(ev);
    l.lock();
  }
}

void EventRecorder::post(const value& ev) {
  const std::string ns = ev.at("metadata").at("namespace").as_string();
  auto r = client_->create(kube::resources::events(), ns, ev);
  if (!r.ok() && !r.error().is(kube::ErrorKind::AlreadyExists)) {  // named ones may be there already
    log::warn("cannot record event", {{"object", ns + "/" + ev.at("involvedObject").at("name").as_string()},
                                      {"reason", ev.at("reason").as_string()},
                                      {"error", r.error().to_string()}});
  }
}

value eventObject(const InvolvedObject& object, const std::string& type, const std::string& reason,
                  const std::string& message) {
  const std::string now = pipeline::formatRfc3339(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  value ev = value::object();
  ev["apiVersion"] = value::string("v1");
  ev["kind"] = value::string("Event");
  ev["metadata"]["namespace"] = value::string(object.namespace_);
  value& inv = ev["involvedObject"];
  inv["apiVersion"] = value::string(object.apiVersion);
  inv["kind"] = value::string(object.kind);
  inv["namespace"] = value::string(object.namespace_);
  inv["name"] = value::string(object.name);
  inv["uid"] = value::string(object.uid);
  ev["type"] = value::string(type);
  ev["reason"] = value::string(reason);
  // The API limits an event message to 1 KiB.
  ev["message"] = value::string(message.size() > 1024 ? message.substr(0, 1021) + "..." : message);
  ev["source"]["component"] = value::string("sluice-operator");
  ev["reportingComponent"] = value::string("sluice.dev/operator");
  ev["firstTimestamp"] = value::string(now);
  ev["lastTimestamp"] = value::string(now);
  ev["count"] = value::number(1);
  return ev;
}

std::string transitionEventName(const InvolvedObject& object, const std::string& reason, const std::string& step) {
  const std::string hash = pipeline::sha256Hex(object.uid + "/" + reason + "/" + step).substr(0, 16);
  // 253 characters in all; a cut name must still end in a letter or digit.
  std::string prefix = object.name.substr(0, 253 - 1 - hash.size());
  while (!prefix.empty() && (prefix.back() == '-' || prefix.back() == '.')) prefix.pop_back();
  return prefix + "." + hash;
}

bool EventRecorder::postTransition(const InvolvedObject& object, const std::string& type, const std::string& reason,
                                   const std::string& message, const std::string& step) {
  value ev = eventObject(object, type, reason, message);
  ev["metadata"]["name"] = value::string(transitionEventName(object, reason, step));
  auto r = client_->create(kube::resources::events(), object.namespace_, ev);
  if (r.ok() || r.error().is(kube::ErrorKind::AlreadyExists)) return true;
  log::warn("cannot record event now; queued", {{"object", object.namespace_ + "/" + object.name},
                                                {"reason", reason},
                                                {"error", r.error().to_string()}});
  enqueue(std::move(ev));
  return false;
}

void EventRecorder::record(const InvolvedObject& object, const std::string& type, const std::string& reason,
                           const std::string& message) {
  value ev = eventObject(object, type, reason, message);
  ev["metadata"]["generateName"] = value::string(object.name + ".");
  enqueue(std::move(ev));
}

void EventRecorder::enqueue(value ev) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (queue_.size() >= maxQueued_) {
      if (dropped_++ % 1000 == 0) {
        log::warn("event queue full; dropping events", {{"dropped", std::to_string(dropped_)}});
      }
      return;
    }
    queue_.push_back(std::move(ev));
  }
  cv_.notify_one();
}

}  // namespace sluice::controller

// Writes core/v1 Events about an execution or a pipeline, so `kubectl
// describe plx NAME` shows what happened. Asynchronous and best effort:
// record() only queues, a background thread posts, so events never sit on a
// step's critical path; a failed write is logged and never fails a
// reconcile. The queue is bounded: under an event storm the newest are
// dropped (and counted in the log), not the operator's memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "kube/client.h"

namespace sluice::controller {

struct InvolvedObject {
  std::string apiVersion = "sluice.dev/v1alpha1";
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string uid;
};

// "NAME.HASH": the object's name (shortened to fit the 253-character limit)
// and 16 hex digits of SHA-256 over its uid, the reason and the step.
std::string transitionEventName(const InvolvedObject& object, const std::string& reason, const std::string& step);

// The core/v1 Event (without a name).
web::json::value eventObject(const InvolvedObject& object, const std::string& type, const std::string& reason,
                             const std::string& message);

class EventRecorder {
 public:
  explicit EventRecorder(std::shared_ptr<kube::Client> client, size_t maxQueued = 10000);
  // Posts what is queued, then stops.
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // type: "Normal" or "Warning"; reason: CamelCase; message: one line.
  void record(const InvolvedObject& object, const std::string& type, const std::string& reason,
              const std::string& message);

  // An execution's transition (reason + step, which happens once), posted
  // now under a name derived from it (transitionEventName). The reconciler
  // posts before it writes the status that records the transition: a crash
  // in between makes the next reconcile compute the same transition, whose
  // Event then exists already (AlreadyExists counts as posted). So each
  // transition gets one Event, across SIGKILLs and leader changes. When the
  // server refuses it now, it is queued for the background poster under the
  // same name (still one Event), and false is returned; only a crash before
  // that retry loses it. Never fails a reconcile. (A status write that then
  // conflicts may leave an Event for a transition the next plan takes
  // differently; rare: a user's change between the two.)
  bool postTransition(const InvolvedObject& object, const std::string& type, const std::string& reason,
                      const std::string& message, const std::string& step);

 private:
  void run();
  void post(const web::json::value& event);
  void enqueue(web::json::value event);  // bounded: drops (and counts) when full

  std::shared_ptr<kube::Client> client_;
  size_t maxQueued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<web::json::value> queue_;
  bool stop_ = false;
  // After stop, queued events are posted for at most this long, so a
  // broken API server cannot hold up shutdown.
  std::chrono::steady_clock::time_point drainDeadline_{};
  size_t dropped_ = 0;
  std::thread thread_;
};

}  // namespace sluice::controller

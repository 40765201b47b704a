// N worker threads draining a WorkQueue: the plumbing a reconciler never
// sees. A failed key is retried with the queue's rate limiting; a succeeded
// key has its backoff forgotten and may ask to be looked at again later.
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "kube/workqueue.h"

namespace sluice::kube {

struct ProcessResult {
  enum class Kind { Done, Retry, Terminal };
  Kind kind = Kind::Done;
  Clock::Duration requeue_after = Clock::Duration::zero();  // for Done: look again after this
  std::string message;                                       // for Retry / Terminal

  static ProcessResult done() { return {}; }
  static ProcessResult requeue(Clock::Duration after) { return {Kind::Done, after, ""}; }
  // Transient failure: retried with per-key exponential backoff.
  static ProcessResult retry(std::string why) { return {Kind::Retry, {}, std::move(why)}; }
  // Permanent failure: logged, not retried until the key is added again.
  static ProcessResult terminal(std::string why) { return {Kind::Terminal, {}, std::move(why)}; }
};

using ProcessFunc = std::function<ProcessResult(const std::string& key)>;

class WorkerPool {
 public:
  // Starts `workers` threads at once. An exception from `process` counts as
  // a Retry (logged); it never kills a worker.
  WorkerPool(WorkQueue& queue, int workers, ProcessFunc process);
  // Shuts the queue down and joins the workers; in-flight keys finish.
  ~WorkerPool();
  void stop();

 private:
  void run();
  WorkQueue& queue_;
  ProcessFunc process_;
  std::vector<std::thread> threads_;
};

}  // namespace sluice::kube

#include "kube/workers.h"

#include "kube/log.h"

namespace sluice::kube {

WorkerPool::WorkerPool(WorkQueue& queue, int workers, ProcessFunc process)
    : queue_(queue), process_(std::move(process)) {
  for (int i = 0; i < std::max(1, workers); ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::stop() {
  queue_.shutdown();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WorkerPool::run() {
  while (auto key = queue_.get()) {
    ProcessResult result;
    try {
      result = process_(*key);
    } catch (const std::exception& e) {
      result = ProcessResult::retry(std::string("exception: ") + e.what());
    } catch (...) {
      result = ProcessResult::retry("unknown exception");
    }
    switch (result.kind) {
      case ProcessResult::Kind::Done:
        queue_.forget(*key);
        if (result.requeue_after > Clock::Duration::zero()) queue_.add_after(*key, result.requeue_after);
        break;
      case ProcessResult::Kind::Retry:
        log(LogLevel::Warning, "processing " + *key + " failed, will retry: " + result.message);
        queue_.add_rate_limited(*key);
        break;
      case ProcessResult::Kind::Terminal:
        log(LogLevel::Error, "processing " + *key + " failed permanently: " + result.message);
        queue_.forget(*key);
        break;
    }
    queue_.done(*key);
  }
}

}  // namespace sluice::kube

// Memoizes parsing of informer-cached objects. Every reconcile of an
// execution reads all executions of its Pipeline (source resolution and the
// cache index), so parsing each of them every time made a reconcile cost
// O(executions x steps) of JSON work. Store objects are immutable snapshots
// (kube/store.h): a new version is a new object, so the parsed form can be
// keyed by the snapshot itself and never goes stale. An entry whose snapshot
// has been replaced or deleted is dropped by a sweep.
#pragma once

#include <cpprest/json.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "kube/store.h"
#include "pipeline/model_json.h"

namespace sluice::controller {

template <typename T>
class ParsedCache {
 public:
  using Parsed = pipeline::ParseResult<T>;
  using ParseFn = std::function<Parsed(const web::json::value&)>;

  explicit ParsedCache(ParseFn parse) : parse_(std::move(parse)) {}

  // The parse of `object`, computed at most once per snapshot while it lives.
  std::shared_ptr<const Parsed> get(const kube::ObjectPtr& object) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(object.get());
      // Same address and still alive = same snapshot (an expired weak_ptr
      // means the address was reused by a new object).
      if (it != entries_.end() && it->second.snapshot.lock() == object) {
        ++hits_;
        return it->second.parsed;
      }
    }
    // Parse outside the lock: workers parse different objects concurrently.
    auto parsed = std::make_shared<const Parsed>(parse_(*object));
    std::lock_guard<std::mutex> lock(mu_);
    entries_[object.get()] = Entry{object, parsed};
    ++misses_;
    if (++insertsSinceSweep_ >= std::max<size_t>(64, sizeAfterSweep_)) sweep();
    return parsed;
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }
  uint64_t hits() const {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_;
  }
  uint64_t misses() const {
    std::lock_guard<std::mutex> lock(mu_);
    return misses_;
  }

 private:
  struct Entry {
    std::weak_ptr<const web::json::value> snapshot;
    std::shared_ptr<const Parsed> parsed;
  };

  // Amortized O(1) per insert: a sweep walks the entries once after as
  // many inserts as the last sweep left entries (at least 64), so the map
  // holds at most about twice the live snapshots.
  void sweep() {
    insertsSinceSweep_ = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = it->second.snapshot.expired() ? entries_.erase(it) : std::next(it);
    }
    sizeAfterSweep_ = entries_.size();
  }

  ParseFn parse_;
  mutable std::mutex mu_;
  std::unordered_map<const web::json::value*, Entry> entries_;
  size_t insertsSinceSweep_ = 0;
  size_t sizeAfterSweep_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace sluice::controller

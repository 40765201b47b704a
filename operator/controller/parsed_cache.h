// Memoizes parsing of informer-cached objects. Every reconcile of an
// execution may read all executions of its Pipeline (source resolution and
// the cache index), so parsing each of them every time made a reconcile cost
// O(executions x steps) of JSON work. A resourceVersion names one version of
// one object, so the parse is keyed by "namespace/name" and version: it never
// goes stale, and it survives the store handing out a fresh copy of the same
// version (a compacted object is parsed from its text on every read). A sweep
// drops the parses of versions the store no longer holds.
#pragma once

#include <cpprest/json.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "kube/store.h"
#include "kube/watch_event.h"
#include "pipeline/model_json.h"

namespace sluice::controller {

template <typename T>
class ParsedCache {
 public:
  using Parsed = pipeline::ParseResult<T>;
  using ParseFn = std::function<Parsed(const web::json::value&)>;
  // The version the store holds for a key (Store::resource_version).
  using CurrentVersionFn = std::function<std::optional<std::string>(const std::string& key)>;

  ParsedCache(ParseFn parse, CurrentVersionFn current) : parse_(std::move(parse)), current_(std::move(current)) {}

  // The parse of `object`, computed at most once per version while the store
  // holds that version. An object without a resourceVersion (never from a
  // server) is parsed every time.
  std::shared_ptr<const Parsed> get(const kube::ObjectPtr& object) {
    const std::string version = kube::object_resource_version(*object);
    if (version.empty()) return std::make_shared<const Parsed>(parse_(*object));
    const std::string key = kube::object_key(*object);
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end() && it->second.version == version) {
        ++hits_;
        return it->second.parsed;
      }
    }
    // Parse outside the lock: workers parse different objects concurrently.
    auto parsed = std::make_shared<const Parsed>(parse_(*object));
    std::lock_guard<std::mutex> lock(mu_);
    entries_[key] = Entry{version, parsed};
    ++misses_;
    if (++insertsSinceSweep_ >= std::max<size_t>(64, sizeAfterSweep_)) sweep();
    return parsed;
  }

  // The parse of the object stored under `key` at `version`. `load` reads it
  // from the store only when that version has not been parsed yet (reading
  // a compacted object means parsing its text). Null when load finds none.
  std::shared_ptr<const Parsed> get(const std::string& key, const std::string& version,
                                    const std::function<kube::ObjectPtr()>& load) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(key);
      if (!version.empty() && it != entries_.end() && it->second.version == version) {
        ++hits_;
        return it->second.parsed;
      }
    }
    kube::ObjectPtr object = load();
    return object ? get(object) : nullptr;
  }

  // Hands the cache a parse made elsewhere (say, while the store decided to
  // compact the object). Not counted towards sweeps: while a list is being
  // taken, the store does not hold these versions yet.
  void put(const std::string& key, const std::string& version, Parsed parsed) {
    if (version.empty()) return;
    auto shared = std::make_shared<const Parsed>(std::move(parsed));
    std::lock_guard<std::mutex> lock(mu_);
    entries_[key] = Entry{version, std::move(shared)};
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
    std::string version;
    std::shared_ptr<const Parsed> parsed;
  };

  // Amortized O(1) per insert: a sweep walks the entries once after as
  // many inserts as the last sweep left entries (at least 64), so the map
  // holds at most about twice the objects whose current version was parsed:
  // the running executions, and for a Pipeline that caches or a selective
  // run not started yet, every peer the planner read, compacted or not (the
  // memo then grows with that Pipeline's history).
  void sweep() {
    insertsSinceSweep_ = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = current_(it->first) != it->second.version ? entries_.erase(it) : std::next(it);
    }
    sizeAfterSweep_ = entries_.size();
  }

  ParseFn parse_;
  CurrentVersionFn current_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // by "namespace/name": one version each
  size_t insertsSinceSweep_ = 0;
  size_t sizeAfterSweep_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace sluice::controller

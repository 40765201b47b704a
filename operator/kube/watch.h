// Reflector: keeps a consumer in step with a collection by list, then watch
// from the list's resourceVersion, resuming after every stream end and
// relisting when the version is too old (410) or a malformed event arrives.
// It is the "watch that never loses events": after any failure the consumer
// gets either the missed events or a full list to diff against.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pplx/pplxtasks.h>

#include "kube/backoff.h"
#include "kube/client.h"

namespace sluice::kube {

struct ReflectorHandlers {
  // Optional: each page of a (re)list as it arrives (`first` starts a new
  // list: forget pages of one that failed). on_replace then gets no items.
  // A receiver that keeps less than the parsed objects (a compacting store)
  // so never holds a whole collection parsed at once.
  std::function<void(std::vector<web::json::value>&& items, bool first)> on_list_page;
  // After each (re)list: the complete collection (or, with on_list_page,
  // nothing: the list is complete).
  std::function<void(std::vector<web::json::value>&& items, const std::string& resource_version)> on_replace;
  // Each Added / Modified / Deleted event, in order (bookmarks are absorbed).
  std::function<void(WatchEvent&& event)> on_event;
};

struct ReflectorOptions {
  std::string label_selector;
  std::string field_selector;
  int page_size = 500;  // list in pages of this size (0 = one request)
  // Each watch asks the server to end it after a random time in this range,
  // so many clients do not reconnect in lockstep.
  std::chrono::seconds min_watch_timeout{5 * 60};
  std::chrono::seconds max_watch_timeout{10 * 60};
  BackoffPolicy backoff{std::chrono::milliseconds(800), std::chrono::seconds(30), 2.0, 0.5,
                        std::chrono::minutes(2)};
  // Resume watching from this version instead of listing first (e.g. the
  // last version a previous run saw). If it is too old the server answers
  // 410 and the reflector falls back to a full list, as after any 410.
  std::string start_resource_version;
  // Applied by an Informer to every object before it is stored (like
  // client-go's SetTransform), e.g. strip_managed_fields: what a cache
  // holds is kept for as long as the object lives, so fields the program
  // never reads are dropped once rather than carried.
  std::function<void(web::json::value&)> transform;
  std::shared_ptr<Clock> clock = real_clock();
  RandomSource random;  // default: default_random()
};

class Reflector {
 public:
  // `ns` empty watches all namespaces (or a cluster-scoped resource).
  Reflector(std::shared_ptr<Client> client, Resource resource, std::string ns,
            ReflectorHandlers handlers, ReflectorOptions options = {});
  ~Reflector();  // stops
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  // Starts the background thread; handlers run on it, one at a time.
  void start();
  // Cancels the in-flight list or watch, wakes any backoff wait and joins.
  void stop();

  std::string last_resource_version() const;
  // Number of lists done so far (the first one included).
  int list_count() const { return lists_.load(); }
  // Number of watch streams the server ended normally (each one resumed).
  int watch_resumes() const { return resumes_.load(); }

 private:
  void run();
  bool list();
  // Waits `d` or until stop(); returns false when stopping.
  bool wait(Clock::Duration d);
  bool stopping() const;
  std::chrono::seconds watch_timeout();

  std::shared_ptr<Client> client_;
  Resource resource_;
  std::string ns_;
  ReflectorHandlers handlers_;
  ReflectorOptions options_;
  Backoff backoff_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::string resource_version_;
  pplx::cancellation_token_source cancel_;
  std::thread thread_;
  std::atomic<int> lists_{0};
  std::atomic<int> resumes_{0};
};

}  // namespace sluice::kube

// Informer: a Reflector feeding a Store, with event handlers. Handlers run on
// the informer's thread in event order and must not block (enqueue a key and
// return). Objects handed to handlers are the store's immutable snapshots.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "kube/store.h"
#include "kube/watch.h"

namespace sluice::kube {

struct EventHandlers {
  std::function<void(const ObjectPtr& object)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& object)> on_update;
  // For a delete missed during a disconnect, `object` is the last known state.
  std::function<void(const ObjectPtr& object)> on_delete;
};

class Informer {
 public:
  Informer(std::shared_ptr<Client> client, Resource resource, std::string ns,
           ReflectorOptions options = {});
  ~Informer();

  // Register before start(); handlers added later miss earlier events.
  void add_handlers(EventHandlers handlers);
  void start();
  void stop();

  // True once the first list has been stored and its handlers called.
  bool has_synced() const { return synced_.load(); }
  // Blocks until synced or `timeout`; returns has_synced().
  bool wait_for_sync(std::chrono::milliseconds timeout);

  const Store& store() const { return store_; }
  // Number of lists so far (1 after the initial sync; more after relists).
  int list_count() const { return reflector_.list_count(); }
  int watch_resumes() const { return reflector_.watch_resumes(); }

 private:
  void on_replace(std::vector<web::json::value>&& items);
  void on_event(WatchEvent&& event);
  void dispatch(const Store::Delta& delta);

  Store store_;
  std::vector<EventHandlers> handlers_;
  std::atomic<bool> synced_{false};
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  Reflector reflector_;  // last: its thread uses the members above
};

}  // namespace sluice::kube

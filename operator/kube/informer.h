// Informer: Reflectors feeding one Store, with event handlers. One reflector
// watches all namespaces (or one); an informer over a list of namespaces runs
// one reflector per namespace, so it needs list/watch rights there only (a
// Role per namespace, no ClusterRole). Handlers run one at a time, in event
// order per object, and must not block (enqueue a key and return). Objects
// handed to handlers are the store's immutable snapshots.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <unordered_map>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kube/store.h"
#include "kube/watch.h"

namespace sluice::kube {

struct EventHandlers {
  std::function<void(const ObjectPtr& object)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& object)> on_update;
  // For a delete missed during a disconnect, `object` is the last known state.
  std::function<void(const ObjectPtr& object)> on_delete;
  // false: a (re)list does not hand these handlers the objects the store
  // keeps compacted (it would parse each of them only to call them); they
  // still see every watch event and every delete. For handlers with nothing
  // to do for such objects (Store::set_compaction's policy says when).
  bool list_compacted = true;
};

class Informer {
 public:
  // `ns` empty: all namespaces (or a cluster-scoped resource).
  Informer(std::shared_ptr<Client> client, Resource resource, std::string ns,
           ReflectorOptions options = {});
  // Exactly these namespaces; empty list = all namespaces. Throws
  // std::invalid_argument for "" or a duplicate in a list of several.
  Informer(std::shared_ptr<Client> client, Resource resource, std::vector<std::string> namespaces,
           ReflectorOptions options = {});
  ~Informer();

  // Register before start(); handlers added later miss earlier events.
  void add_handlers(EventHandlers handlers);
  // A secondary index of the store (Store::add_index); before start(),
  // throws std::logic_error once the store holds objects.
  void add_index(const std::string& name, Store::IndexFunc func) { store_.add_index(name, std::move(func)); }
  // Store::set_compaction and Store::set_summary; before start().
  void set_compaction(std::function<bool(const web::json::value&)> compactable) {
    store_.set_compaction(std::move(compactable));
  }
  void set_summary(std::function<std::string(const web::json::value&)> summarize) {
    store_.set_summary(std::move(summarize));
  }
  void start();
  void stop();

  // True once every namespace's first list has been stored and its handlers called.
  bool has_synced() const { return synced_.load(); }
  // Blocks until synced or `timeout`; returns has_synced().
  bool wait_for_sync(std::chrono::milliseconds timeout);

  const Store& store() const { return store_; }

  // A write of ours the server accepted (the object it returned): the store
  // holds it at once, so a reconcile that runs before the watch delivers it
  // plans from it rather than from the version it replaced (whose write
  // would conflict and wait out a backoff). The watch event carrying the
  // same version then changes nothing and calls no handler: a controller
  // does not react to its own write. Only for objects this informer watches
  // (its namespaces, its label selector). Ignored unless newer than what the
  // store holds; resourceVersions are compared as the integers etcd makes
  // them, and one that is not an integer is left to the watch (as client-go's
  // integer mutation cache does). Nor does it bring back an object the watch
  // has shown deleted since (the answer to our write can arrive after the
  // delete's event).
  void assume(web::json::value object);
  // Number of lists so far, summed over namespaces (one per namespace after
  // the initial sync; more after relists).
  int list_count() const;
  int watch_resumes() const;

 private:
  void on_list_page(size_t reflector, std::vector<web::json::value>&& items, bool first);
  // Commits the pages on_list_page prepared, as the list at `version`.
  void on_replace(size_t reflector, const std::string& version);
  // Remembers a deleted object's last version for assume(); dispatch_mu_ held.
  void bury_locked(const std::string& key, const std::string& version);
  void on_event(WatchEvent&& event);
  // `compacted`: a relisted object the store keeps compacted (list_compacted).
  void dispatch(const Store::Delta& delta, bool compacted = false);

  Store store_;
  std::function<void(web::json::value&)> transform_;  // ReflectorOptions::transform
  std::vector<EventHandlers> handlers_;
  std::atomic<bool> synced_{false};
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::vector<bool> reflector_synced_;  // guarded by sync_mu_
  // Serialises store updates with their handler calls across reflectors.
  std::mutex dispatch_mu_;
  std::vector<std::optional<std::string>> scopes_;  // per reflector: its namespace when one of several
  // Per reflector, the pages of the list it is receiving, prepared for the
  // store one by one (only that reflector's thread touches its slot).
  std::vector<std::vector<Store::Prepared>> listing_;
  // Deleted objects' last versions, kept five minutes (guarded by dispatch_mu_).
  struct Tombstone {
    uint64_t version;
    std::chrono::steady_clock::time_point at;
  };
  std::unordered_map<std::string, Tombstone> tombstones_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> burials_;
  std::vector<std::unique_ptr<Reflector>> reflectors_;  // last: their threads use the members above
};

// A ReflectorOptions::transform: drops metadata.managedFields, which a
// controller never reads and which is a third of a typical object's JSON.
// An update of an object without managedFields keeps the server's (only an
// explicit [{}] resets them), so writing cached objects back is unaffected.
void strip_managed_fields(web::json::value& object);

}  // namespace sluice::kube

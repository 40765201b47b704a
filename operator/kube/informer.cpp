#include "kube/informer.h"

#include <algorithm>
#include <stdexcept>

#include "kube/log.h"

namespace sluice::kube {

Informer::Informer(std::shared_ptr<Client> client, Resource resource, std::string ns,
                   ReflectorOptions options)
    : Informer(std::move(client), std::move(resource),
               ns.empty() ? std::vector<std::string>{} : std::vector<std::string>{std::move(ns)},
               std::move(options)) {}

Informer::Informer(std::shared_ptr<Client> client, Resource resource, std::vector<std::string> namespaces,
                   ReflectorOptions options)
    : transform_(options.transform) {
  if (namespaces.empty()) namespaces.push_back("");  // one reflector for all namespaces
  bool scoped = namespaces.size() > 1;
  // In a list, "" (all) would overlap the others and a duplicate would
  // deliver every event twice.
  for (size_t i = 0; scoped && i < namespaces.size(); ++i) {
    if (namespaces[i].empty()) throw std::invalid_argument("informer: \"\" (all namespaces) in a list of namespaces");
    for (size_t j = 0; j < i; ++j) {
      if (namespaces[j] == namespaces[i])
        throw std::invalid_argument("informer: namespace \"" + namespaces[i] + "\" listed twice");
    }
  }
  reflector_synced_.assign(namespaces.size(), false);
  listing_.resize(namespaces.size());
  for (size_t i = 0; i < namespaces.size(); ++i) {
    scopes_.push_back(scoped ? std::optional<std::string>(namespaces[i]) : std::nullopt);
    reflectors_.push_back(std::make_unique<Reflector>(
        client, resource, namespaces[i],
        ReflectorHandlers{[this, i](std::vector<web::json::value>&& items, bool first) {
                            on_list_page(i, std::move(items), first);
                          },
                          // No items here: every page came through on_list_page.
                          [this, i](std::vector<web::json::value>&&, const std::string& version) {
                            on_replace(i, version);
                          },
                          [this](WatchEvent&& event) { on_event(std::move(event)); }},
        options));
  }
}

Informer::~Informer() { stop(); }

void Informer::add_handlers(EventHandlers handlers) { handlers_.push_back(std::move(handlers)); }

void Informer::start() {
  for (auto& r : reflectors_) r->start();
}

void Informer::stop() {
  for (auto& r : reflectors_) r->stop();
}

int Informer::list_count() const {
  int n = 0;
  for (const auto& r : reflectors_) n += r->list_count();
  return n;
}

int Informer::watch_resumes() const {
  int n = 0;
  for (const auto& r : reflectors_) n += r->watch_resumes();
  return n;
}

bool Informer::wait_for_sync(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(sync_mu_);
  sync_cv_.wait_for(lock, timeout, [this] { return synced_.load(); });
  return synced_.load();
}

void Informer::dispatch(const Store::Delta& delta, bool compacted) {
  // A throwing handler must not kill the informer thread or skip the others.
  for (const auto& h : handlers_) {
    if (compacted && !h.list_compacted) continue;
    try {
      switch (delta.type) {
        case Store::Delta::Type::Added:
          if (h.on_add) h.on_add(delta.object);
          break;
        case Store::Delta::Type::Updated:
          if (h.on_update) h.on_update(delta.old_object, delta.object);
          break;
        case Store::Delta::Type::Deleted:
          if (h.on_delete) h.on_delete(delta.object);
          break;
      }
    } catch (const std::exception& e) {
      log(LogLevel::Error, std::string("informer handler threw: ") + e.what());
    }
  }
}

void Informer::on_list_page(size_t reflector, std::vector<web::json::value>&& items, bool first) {
  auto& listing = listing_[reflector];
  if (first) listing.clear();
  for (auto& item : items) {
    if (transform_) transform_(item);
    listing.push_back(store_.prepare(std::move(item)));
  }
  items.clear();  // this page's parsed objects go now, not with the whole list
}

void Informer::on_replace(size_t reflector, const std::string& version) {
  {
    std::lock_guard<std::mutex> lock(dispatch_mu_);
    auto deltas = store_.replace(std::move(listing_[reflector]), scopes_[reflector], version);
    listing_[reflector].clear();
    for (const auto& d : deltas)
      if (d.type == Store::Delta::Type::Deleted) bury_locked(d.key, version);
    const bool anyWantsCompacted =
        std::any_of(handlers_.begin(), handlers_.end(), [](const EventHandlers& h) { return h.list_compacted; });
    for (auto& delta : deltas) {
      // A compacted object comes without its parsed form: read it for the
      // handlers that want it, one at a time.
      const bool compacted = !delta.object;
      if (compacted && !anyWantsCompacted) continue;
      if (compacted) delta.object = store_.get(delta.key);
      if (delta.object) dispatch(delta, compacted);
      delta.object.reset();
      delta.old_object.reset();
    }
  }
  std::lock_guard<std::mutex> lock(sync_mu_);
  reflector_synced_[reflector] = true;
  bool all = std::all_of(reflector_synced_.begin(), reflector_synced_.end(), [](bool b) { return b; });
  if (all && !synced_.exchange(true)) sync_cv_.notify_all();
}

namespace {

// True when the store holds `incoming`'s version of its object or a later one.
bool storedIsAtLeast(const Store& store, const web::json::value& incoming) {
  auto stored = store.resource_version(object_key(incoming));
  if (!stored) return false;
  auto have = integer_resource_version(*stored);
  auto got = integer_resource_version(object_resource_version(incoming));
  return have && got && *have >= *got;
}

}  // namespace

void Informer::assume(web::json::value object) {
  if (transform_) transform_(object);
  const auto version = integer_resource_version(object_resource_version(object));
  if (!version) return;
  auto obj = std::make_shared<const web::json::value>(std::move(object));
  std::lock_guard<std::mutex> lock(dispatch_mu_);
  if (storedIsAtLeast(store_, *obj)) return;
  // Deleted since (the watch was faster than our request's answer): do not
  // bring it back.
  auto grave = tombstones_.find(object_key(*obj));
  if (grave != tombstones_.end() && grave->second.version >= *version) return;
  store_.upsert(obj);
}

void Informer::bury_locked(const std::string& key, const std::string& version) {
  const auto v = integer_resource_version(version);
  if (!v) return;
  const auto now = std::chrono::steady_clock::now();
  tombstones_[key] = Tombstone{*v, now};
  burials_.emplace_back(now, key);
  // An answer to a request sent before the delete arrives within seconds;
  // five minutes of graves is plenty and keeps the map small.
  while (!burials_.empty() && now - burials_.front().first > std::chrono::minutes(5)) {
    auto it = tombstones_.find(burials_.front().second);
    if (it != tombstones_.end() && it->second.at == burials_.front().first) tombstones_.erase(it);
    burials_.pop_front();
  }
}

void Informer::on_event(WatchEvent&& event) {
  if (transform_ && event.type != WatchEventType::Bookmark && event.type != WatchEventType::Error)
    transform_(event.object);
  auto obj = std::make_shared<const web::json::value>(std::move(event.object));
  std::lock_guard<std::mutex> lock(dispatch_mu_);
  switch (event.type) {
    case WatchEventType::Added:
    case WatchEventType::Modified: {
      // Already held: a write of ours (assume), or a later one.
      if (storedIsAtLeast(store_, *obj)) break;
      tombstones_.erase(object_key(*obj));  // (re)created: newer than any grave
      auto previous = store_.upsert(obj);
      dispatch(previous ? Store::Delta{Store::Delta::Type::Updated, previous, obj, object_key(*obj)}
                        : Store::Delta{Store::Delta::Type::Added, nullptr, obj, object_key(*obj)});
      break;
    }
    case WatchEventType::Deleted: {
      auto previous = store_.remove(object_key(*obj));
      // Report the server's final state; the delete is real even if we had
      // never seen the object (nothing to report then).
      bury_locked(object_key(*obj), object_resource_version(*obj));
      if (previous) dispatch({Store::Delta::Type::Deleted, previous, obj, object_key(*obj)});
      break;
    }
    case WatchEventType::Bookmark:
    case WatchEventType::Error:
      break;
  }
}

void strip_managed_fields(web::json::value& object) {
  if (!object.is_object() || !object.has_field("metadata")) return;
  web::json::value& metadata = object.at("metadata");
  if (metadata.is_object() && metadata.has_field("managedFields")) metadata.erase("managedFields");
}

}  // namespace sluice::kube

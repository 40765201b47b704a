#include "kube/informer.h"

#include "kube/log.h"

namespace sluice::kube {

Informer::Informer(std::shared_ptr<Client> client, Resource resource, std::string ns,
                   ReflectorOptions options)
    : reflector_(std::move(client), std::move(resource), std::move(ns),
                 ReflectorHandlers{
                     [this](std::vector<web::json::value>&& items, const std::string&) {
                       on_replace(std::move(items));
                     },
                     [this](WatchEvent&& event) { on_event(std::move(event)); }},
                 std::move(options)) {}

Informer::~Informer() { stop(); }

void Informer::add_handlers(EventHandlers handlers) { handlers_.push_back(std::move(handlers)); }

void Informer::start() { reflector_.start(); }

void Informer::stop() { reflector_.stop(); }

bool Informer::wait_for_sync(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(sync_mu_);
  sync_cv_.wait_for(lock, timeout, [this] { return synced_.load(); });
  return synced_.load();
}

void Informer::dispatch(const Store::Delta& delta) {
  // A throwing handler must not kill the informer thread or skip the others.
  for (const auto& h : handlers_) {
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

void Informer::on_replace(std::vector<web::json::value>&& items) {
  for (const auto& delta : store_.replace(std::move(items))) dispatch(delta);
  if (!synced_.exchange(true)) {
    std::lock_guard<std::mutex> lock(sync_mu_);
    sync_cv_.notify_all();
  }
}

void Informer::on_event(WatchEvent&& event) {
  auto obj = std::make_shared<const web::json::value>(std::move(event.object));
  switch (event.type) {
    case WatchEventType::Added:
    case WatchEventType::Modified: {
      auto previous = store_.upsert(obj);
      dispatch(previous ? Store::Delta{Store::Delta::Type::Updated, previous, obj}
                        : Store::Delta{Store::Delta::Type::Added, nullptr, obj});
      break;
    }
    case WatchEventType::Deleted: {
      auto previous = store_.remove(object_key(*obj));
      // Report the server's final state; the delete is real even if we had
      // never seen the object (nothing to report then).
      if (previous) dispatch({Store::Delta::Type::Deleted, previous, obj});
      break;
    }
    case WatchEventType::Bookmark:
    case WatchEventType::Error:
      break;
  }
}

}  // namespace sluice::kube

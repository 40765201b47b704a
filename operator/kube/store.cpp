#include "kube/store.h"

#include <mutex>
#include <stdexcept>

#include "kube/watch_event.h"

namespace sluice::kube {
namespace {

std::vector<std::string> namespace_index(const web::json::value& obj) {
  return {object_namespace(obj)};
}

std::vector<std::string> label_index(const web::json::value& obj) {
  std::vector<std::string> out;
  if (!obj.has_object_field("metadata")) return out;
  const auto& meta = obj.at("metadata");
  if (!meta.has_object_field("labels")) return out;
  for (const auto& [k, v] : meta.at("labels").as_object()) {
    if (v.is_string()) out.push_back(k + "=" + v.as_string());
  }
  return out;
}

std::vector<std::string> owner_index(const web::json::value& obj) {
  std::vector<std::string> out;
  if (!obj.has_object_field("metadata")) return out;
  const auto& meta = obj.at("metadata");
  if (!meta.has_array_field("ownerReferences")) return out;
  for (const auto& ref : meta.at("ownerReferences").as_array()) {
    if (ref.has_string_field("uid")) out.push_back(ref.at("uid").as_string());
  }
  return out;
}

}  // namespace

Store::Store() {
  index_funcs_[kIndexNamespace] = namespace_index;
  index_funcs_[kIndexLabel] = label_index;
  index_funcs_[kIndexOwnerUid] = owner_index;
}

void Store::add_index(const std::string& name, IndexFunc func) {
  std::unique_lock lock(mu_);
  if (!items_.empty()) throw std::logic_error("Store::add_index after objects were added");
  index_funcs_[name] = std::move(func);
}

ObjectPtr Store::get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Store::list() const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(obj);
  return out;
}

std::vector<std::string> Store::keys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(key);
  return out;
}

size_t Store::size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

std::vector<ObjectPtr> Store::by_index(const std::string& index, const std::string& value) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return out;
  auto keys = idx->second.find(value);
  if (keys == idx->second.end()) return out;
  for (const auto& key : keys->second) out.push_back(items_.at(key));
  return out;
}

void Store::index_locked(const std::string& key, const web::json::value& obj) {
  for (const auto& [name, func] : index_funcs_) {
    for (const auto& value : func(obj)) indexes_[name][value].insert(key);
  }
}

void Store::unindex_locked(const std::string& key, const web::json::value& obj) {
  for (const auto& [name, func] : index_funcs_) {
    auto& index = indexes_[name];
    for (const auto& value : func(obj)) {
      auto it = index.find(value);
      if (it == index.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.erase(it);
    }
  }
}

ObjectPtr Store::upsert(ObjectPtr object) {
  std::string key = object_key(*object);
  std::unique_lock lock(mu_);
  ObjectPtr previous;
  auto it = items_.find(key);
  if (it != items_.end()) {
    previous = it->second;
    unindex_locked(key, *previous);
    it->second = object;
  } else {
    items_.emplace(key, object);
  }
  index_locked(key, *object);
  return previous;
}

ObjectPtr Store::remove(const std::string& key) {
  std::unique_lock lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return nullptr;
  ObjectPtr previous = it->second;
  unindex_locked(key, *previous);
  items_.erase(it);
  return previous;
}

std::vector<Store::Delta> Store::replace(std::vector<web::json::value> items,
                                         const std::optional<std::string>& scope) {
  std::vector<Delta> deltas;
  std::unordered_map<std::string, ObjectPtr> fresh;
  fresh.reserve(items.size());
  for (auto& item : items) {
    auto obj = std::make_shared<const web::json::value>(std::move(item));
    fresh[object_key(*obj)] = std::move(obj);
  }
  std::unique_lock lock(mu_);
  for (auto it = items_.begin(); it != items_.end();) {
    bool inScope = !scope || object_namespace(*it->second) == *scope;
    if (inScope && fresh.count(it->first) == 0) {
      unindex_locked(it->first, *it->second);
      deltas.push_back({Delta::Type::Deleted, it->second, it->second});
      it = items_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [key, obj] : fresh) {
    auto it = items_.find(key);
    if (it == items_.end()) {
      index_locked(key, *obj);
      deltas.push_back({Delta::Type::Added, nullptr, obj});
      items_.emplace(key, obj);
    } else if (object_resource_version(*it->second) != object_resource_version(*obj)) {
      unindex_locked(key, *it->second);
      index_locked(key, *obj);
      deltas.push_back({Delta::Type::Updated, it->second, obj});
      it->second = obj;
    }
  }
  return deltas;
}

}  // namespace sluice::kube

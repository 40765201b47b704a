#include "kube/store.h"

#include <zlib.h>

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

// Compacted objects are deflated: a finished execution's JSON shrinks about
// fivefold (repeated keys, names, URIs), and the fastest level is enough.
std::string deflate_text(const std::string& text) {
  uLongf size = compressBound(static_cast<uLong>(text.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(text.data()),
                static_cast<uLong>(text.size()), Z_BEST_SPEED) != Z_OK)
    throw std::runtime_error("Store: cannot deflate an object");
  out.resize(size);
  out.shrink_to_fit();
  return out;
}

std::string inflate_text(const std::string& deflated, size_t size) {
  std::string out(size, '\0');
  uLongf got = static_cast<uLongf>(size);
  if (uncompress(reinterpret_cast<Bytef*>(out.data()), &got, reinterpret_cast<const Bytef*>(deflated.data()),
                 static_cast<uLong>(deflated.size())) != Z_OK ||
      got != size)
    throw std::runtime_error("Store: a compacted object does not inflate");
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

void Store::set_compaction(std::function<bool(const web::json::value&)> compactable) {
  std::unique_lock lock(mu_);
  if (!items_.empty()) throw std::logic_error("Store::set_compaction after objects were added");
  compactable_ = std::move(compactable);
}

void Store::set_summary(std::function<std::string(const web::json::value&)> summarize) {
  std::unique_lock lock(mu_);
  if (!items_.empty()) throw std::logic_error("Store::set_summary after objects were added");
  summarize_ = std::move(summarize);
}

std::map<std::string, size_t> Store::summary_counts() const {
  std::shared_lock lock(mu_);
  return summary_counts_;
}

ObjectPtr Store::materialize(const Entry& entry) {
  if (entry.object) return entry.object;
  // Our own deflated serialization of a parsed object: it inflates and parses.
  return std::make_shared<const web::json::value>(web::json::value::parse(inflate_text(entry.text, entry.text_size)));
}

ObjectPtr Store::get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : materialize(it->second);
}

std::optional<std::string> Store::resource_version(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return std::nullopt;
  return it->second.resource_version;
}

size_t Store::compacted_count() const {
  std::shared_lock lock(mu_);
  return compacted_;
}

std::vector<ObjectPtr> Store::list() const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [key, entry] : items_) out.push_back(materialize(entry));
  return out;
}

std::vector<std::string> Store::keys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& [key, entry] : items_) out.push_back(key);
  return out;
}

std::vector<std::string> Store::uncompacted_keys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [key, entry] : items_)
    if (entry.object) out.push_back(key);
  return out;
}

size_t Store::size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

const std::set<std::string>& Store::index_keys_locked(const std::string& index, const std::string& value,
                                                      bool uncompacted_only) const {
  static const std::set<std::string> none;
  const auto& indexes = uncompacted_only ? uncompacted_indexes_ : indexes_;
  auto idx = indexes.find(index);
  if (idx == indexes.end()) return none;
  auto keys = idx->second.find(value);
  return keys == idx->second.end() ? none : keys->second;
}

std::vector<ObjectPtr> Store::by_index(const std::string& index, const std::string& value) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  for (const auto& key : index_keys_locked(index, value)) out.push_back(materialize(items_.at(key)));
  return out;
}

std::vector<ObjectPtr> Store::by_index_uncompacted(const std::string& index, const std::string& value) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  for (const auto& key : index_keys_locked(index, value, true)) out.push_back(items_.at(key).object);
  return out;
}

std::vector<std::pair<std::string, std::string>> Store::versions_by_index(const std::string& index,
                                                                          const std::string& value, Held held) const {
  std::shared_lock lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& key : index_keys_locked(index, value, held == Held::Uncompacted)) {
    const Entry& e = items_.at(key);
    if (held == Held::Compacted && e.object) continue;
    if (held == Held::Uncompacted && !e.object) continue;
    out.emplace_back(key, e.resource_version);
  }
  return out;
}

uint64_t Store::compacted_changes(const std::string& index, const std::string& value) const {
  std::shared_lock lock(mu_);
  auto byIndex = compacted_changes_.find(index);
  if (byIndex == compacted_changes_.end()) return 0;
  auto it = byIndex->second.find(value);
  return it == byIndex->second.end() ? 0 : it->second;
}

Store::Entry Store::make_entry(const ObjectPtr& object) const {
  Entry e;
  e.resource_version = object_resource_version(*object);
  for (const auto& [name, func] : index_funcs_) {
    for (auto& value : func(*object)) e.indexed.emplace_back(name, std::move(value));
  }
  if (summarize_) e.summary = summarize_(*object);
  if (compactable_ && compactable_(*object)) {
    const std::string text = object->serialize();
    e.text = deflate_text(text);
    e.text_size = text.size();
  } else {
    e.object = object;
  }
  return e;
}

Store::Prepared Store::prepare(web::json::value object) const {
  auto obj = std::make_shared<const web::json::value>(std::move(object));
  Prepared p;
  p.key_ = object_key(*obj);
  p.entry_ = make_entry(obj);
  return p;
}

void Store::index_locked(const std::string& key, const Entry& entry) {
  for (const auto& [name, value] : entry.indexed) {
    indexes_[name][value].insert(key);
    if (entry.object) uncompacted_indexes_[name][value].insert(key);
    else compacted_changes_[name][value] = ++change_sequence_;
  }
  if (!entry.object) ++compacted_;
  if (summarize_) ++summary_counts_[entry.summary];
}

void Store::unindex_locked(const std::string& key, const Entry& entry) {
  for (const auto& [name, value] : entry.indexed) {
    auto& index = indexes_[name];
    auto it = index.find(value);
    if (it == index.end()) continue;
    it->second.erase(key);
    const bool lastKey = it->second.empty();
    if (lastKey) index.erase(it);
    if (!entry.object) compacted_changes_[name][value] = ++change_sequence_;
    if (lastKey) {
      auto byIndex = compacted_changes_.find(name);
      if (byIndex != compacted_changes_.end()) byIndex->second.erase(value);
    }
    if (entry.object) {
      auto& uncompacted = uncompacted_indexes_[name];
      auto u = uncompacted.find(value);
      if (u != uncompacted.end()) {
        u->second.erase(key);
        if (u->second.empty()) uncompacted.erase(u);
      }
    }
  }
  if (!entry.object) --compacted_;
  if (summarize_) {
    auto it = summary_counts_.find(entry.summary);
    if (it != summary_counts_.end() && --it->second == 0) summary_counts_.erase(it);
  }
}

ObjectPtr Store::upsert(ObjectPtr object) {
  std::string key = object_key(*object);
  Entry entry = make_entry(object);
  std::unique_lock lock(mu_);
  ObjectPtr previous;
  auto it = items_.find(key);
  if (it != items_.end()) {
    previous = materialize(it->second);
    unindex_locked(key, it->second);
    index_locked(key, entry);
    it->second = std::move(entry);
  } else {
    index_locked(key, entry);
    items_.emplace(key, std::move(entry));
  }
  return previous;
}

ObjectPtr Store::remove(const std::string& key) {
  std::unique_lock lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return nullptr;
  ObjectPtr previous = materialize(it->second);
  unindex_locked(key, it->second);
  items_.erase(it);
  return previous;
}

std::vector<Store::Delta> Store::replace(std::vector<web::json::value> items,
                                         const std::optional<std::string>& scope,
                                         const std::optional<std::string>& list_version) {
  // Parsed here anyway: every delta carries its object.
  std::unordered_map<std::string, ObjectPtr> parsed;
  std::vector<Prepared> prepared;
  prepared.reserve(items.size());
  for (auto& item : items) {
    auto obj = std::make_shared<const web::json::value>(std::move(item));
    Prepared p;
    p.key_ = object_key(*obj);
    p.entry_ = make_entry(obj);
    parsed[p.key_] = obj;
    prepared.push_back(std::move(p));
  }
  auto deltas = replace(std::move(prepared), scope, list_version);
  for (auto& d : deltas)
    if (!d.object) d.object = parsed[d.key];
  return deltas;
}

namespace {

// `stored` is known to be a later version than `other`.
bool isLater(const std::string& stored, const std::string& other) {
  auto a = integer_resource_version(stored), b = integer_resource_version(other);
  return a && b && *a > *b;
}

}  // namespace

std::vector<Store::Delta> Store::replace(std::vector<Prepared> items, const std::optional<std::string>& scope,
                                         const std::optional<std::string>& list_version) {
  std::vector<Delta> deltas;
  std::unordered_map<std::string, Entry> fresh;
  fresh.reserve(items.size());
  for (auto& item : items) fresh[item.key_] = std::move(item.entry_);
  std::unique_lock lock(mu_);
  for (auto it = items_.begin(); it != items_.end();) {
    // Keys are "namespace/name" (object_key): the scope check needs no parse.
    bool inScope = !scope || it->first.compare(0, scope->size() + 1, *scope + "/") == 0;
    const bool assumedAfterTheList = list_version && isLater(it->second.resource_version, *list_version);
    if (inScope && fresh.count(it->first) == 0 && !assumedAfterTheList) {
      ObjectPtr gone = materialize(it->second);
      unindex_locked(it->first, it->second);
      deltas.push_back({Delta::Type::Deleted, gone, gone, it->first});
      it = items_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [key, entry] : fresh) {
    auto it = items_.find(key);
    if (it == items_.end()) {
      deltas.push_back({Delta::Type::Added, nullptr, entry.object, key});
      index_locked(key, entry);
      items_.emplace(key, std::move(entry));
    } else if (it->second.resource_version != entry.resource_version &&
               !isLater(it->second.resource_version, entry.resource_version)) {
      ObjectPtr previous = materialize(it->second);
      unindex_locked(key, it->second);
      deltas.push_back({Delta::Type::Updated, previous, entry.object, key});
      index_locked(key, entry);
      it->second = std::move(entry);
    }
  }
  return deltas;
}

}  // namespace sluice::kube

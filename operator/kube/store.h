// Thread-safe cache of API objects keyed "namespace/name", with secondary
// indexes. Objects are immutable shared snapshots: readers never see a
// half-applied update, and nobody may modify a cached object (copy it first).
//
// Compaction: objects a policy picks (set_compaction; for the operator,
// finished executions, most of what a namespace keeps over months) are held
// as their deflated JSON text, a twentieth of the memory of the parsed tree
// or less, and inflated and parsed again when read. Reading one is then slower but gives the same
// object, so no reader needs to know; readers of many objects that only
// want the others use by_index_uncompacted.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <cpprest/json.h>

namespace sluice::kube {

using ObjectPtr = std::shared_ptr<const web::json::value>;

// Built-in indexes. The label index is keyed "labelKey=labelValue".
inline constexpr const char* kIndexNamespace = "namespace";
inline constexpr const char* kIndexLabel = "label";
inline constexpr const char* kIndexOwnerUid = "owner-uid";

class Store {
 public:
  using IndexFunc = std::function<std::vector<std::string>(const web::json::value&)>;

  struct Delta {
    enum class Type { Added, Updated, Deleted };
    Type type;
    ObjectPtr old_object;  // null for Added
    // For Deleted: the last known state. Null for an object replace() of
    // Prepared items stored compacted (read it with get(key) when needed:
    // a relist of thousands then never holds them all parsed at once).
    ObjectPtr object;
    std::string key;
  };

 private:
  struct Entry {
    ObjectPtr object;  // null when compacted
    std::string text;  // the object's JSON when compacted, deflated
    size_t text_size = 0;  // ... and its length before
    std::string resource_version;
    std::string summary;  // set_summary's
    // (index name, value) pairs this object is listed under: unindexing a
    // compacted object needs no parse.
    std::vector<std::pair<std::string, std::string>> indexed;
  };

 public:
  // An object made ready for the store outside its lock: indexed, summarized
  // and, if the policy says so, compacted (its parsed form then freed).
  class Prepared {
   public:
    const std::string& key() const { return key_; }

   private:
    friend class Store;
    std::string key_;
    Entry entry_;
  };
  Prepared prepare(web::json::value object) const;

  Store();  // with the namespace, label and owner-uid indexes

  // Adds an index; call before the store is filled (throws logic_error otherwise).
  void add_index(const std::string& name, IndexFunc func);
  // Objects for which `compactable` is true are held as JSON text (above).
  // Call before the store is filled (throws logic_error otherwise).
  void set_compaction(std::function<bool(const web::json::value&)> compactable);
  // A short text derived from each object as it is stored (say, its phase),
  // counted by summary_counts() without reading any object. Call before the
  // store is filled (throws logic_error otherwise).
  void set_summary(std::function<std::string(const web::json::value&)> summarize);
  std::map<std::string, size_t> summary_counts() const;

  ObjectPtr get(const std::string& key) const;
  std::vector<ObjectPtr> list() const;
  std::vector<std::string> keys() const;
  std::vector<std::string> uncompacted_keys() const;
  size_t size() const;
  // Objects whose index `index` yields `value`; empty for an unknown index.
  std::vector<ObjectPtr> by_index(const std::string& index, const std::string& value) const;
  std::vector<ObjectPtr> by_namespace(const std::string& ns) const { return by_index(kIndexNamespace, ns); }
  std::vector<ObjectPtr> by_label(const std::string& key, const std::string& value) const {
    return by_index(kIndexLabel, key + "=" + value);
  }
  std::vector<ObjectPtr> by_owner_uid(const std::string& uid) const { return by_index(kIndexOwnerUid, uid); }
  // by_index without the compacted objects (and without parsing any).
  std::vector<ObjectPtr> by_index_uncompacted(const std::string& index, const std::string& value) const;
  // (key, resourceVersion) of the objects by_index would return, without
  // reading any: a caller with parses memoized by version reads only new ones.
  // `held` keeps only the compacted or only the uncompacted ones.
  enum class Held { Any, Compacted, Uncompacted };
  std::vector<std::pair<std::string, std::string>> versions_by_index(const std::string& index, const std::string& value,
                                                                     Held held = Held::Any) const;
  // Changes whenever a compacted object listed under `value` of `index`
  // comes or goes (0 while nothing is listed there): while it stays the
  // same, so do the compacted objects there, and what a caller derived from
  // them (say, the finished executions of one Pipeline) need not be derived
  // again. A store-wide sequence, so a value listed again never repeats an
  // earlier figure.
  uint64_t compacted_changes(const std::string& index, const std::string& value) const;
  // The stored object's metadata.resourceVersion, without parsing a compacted one.
  std::optional<std::string> resource_version(const std::string& key) const;
  size_t compacted_count() const;

  // Inserts or replaces; returns the previous object (null if none).
  ObjectPtr upsert(ObjectPtr object);
  // Removes; returns the removed object (null if absent).
  ObjectPtr remove(const std::string& key);
  // Makes the store hold exactly `items` and returns what changed: objects
  // gone from the list come back as Deleted (this is how deletes missed
  // during a watch disconnect are seen); Updated only when resourceVersion
  // differs. With `scope`, the list is one namespace's: only objects of that
  // namespace can be deleted (several informers, one per namespace, can then
  // share one store).
  //
  // With `list_version` (the list's resourceVersion), an object the store
  // holds at a later version than the list saw (Informer::assume put it
  // there while the list was being taken) is neither deleted nor rolled
  // back: the watch resuming from the list's version brings what became of
  // it. (Integer versions only, see integer_resource_version.)
  std::vector<Delta> replace(std::vector<web::json::value> items,
                             const std::optional<std::string>& scope = std::nullopt,
                             const std::optional<std::string>& list_version = std::nullopt);
  // The same for items prepared one by one as a list's pages arrived; a
  // compacted one's Added or Updated delta carries no object (see Delta).
  std::vector<Delta> replace(std::vector<Prepared> items, const std::optional<std::string>& scope = std::nullopt,
                             const std::optional<std::string>& list_version = std::nullopt);

 private:
  Entry make_entry(const ObjectPtr& object) const;
  // The keys listed under `value` of `index` (empty if none), or only the
  // uncompacted ones; mu_ held.
  const std::set<std::string>& index_keys_locked(const std::string& index, const std::string& value,
                                                 bool uncompacted_only = false) const;
  void index_locked(const std::string& key, const Entry& entry);
  void unindex_locked(const std::string& key, const Entry& entry);
  static ObjectPtr materialize(const Entry& entry);

  mutable std::shared_mutex mu_;
  std::function<bool(const web::json::value&)> compactable_;
  size_t compacted_ = 0;
  std::function<std::string(const web::json::value&)> summarize_;
  std::map<std::string, size_t> summary_counts_;
  std::unordered_map<std::string, Entry> items_;
  std::map<std::string, IndexFunc> index_funcs_;
  // index name -> index value -> keys
  std::map<std::string, std::unordered_map<std::string, std::set<std::string>>> indexes_;
  // The same for the uncompacted objects alone: a reader of the few running
  // executions of a Pipeline need not step over its thousands of finished ones.
  std::map<std::string, std::unordered_map<std::string, std::set<std::string>>> uncompacted_indexes_;
  // index name -> index value -> compacted_changes(), while the value lists
  // any object (dropped with the value's last key: no growth with history)
  std::map<std::string, std::unordered_map<std::string, uint64_t>> compacted_changes_;
  uint64_t change_sequence_ = 0;
};

}  // namespace sluice::kube

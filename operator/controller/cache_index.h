// The cache index (DESIGN.md "Caching") built from the statuses of the
// executions of one Pipeline in one namespace: every Succeeded step that
// ran (or was itself a cache hit/reuse) with a cache key. Pure.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pipeline/model_json.h"
#include "pipeline/plan_types.h"

namespace sluice::controller {

std::vector<pipeline::CacheEntry> buildCacheIndex(const std::vector<const pipeline::PipelineExecution*>& executions);

// One execution's entries, from its JSON: what a reconcile keeps of each
// other execution of a caching Pipeline (a few URIs per cached step) instead
// of the whole parsed object. A status that does not parse has none.
pipeline::ParseResult<std::vector<pipeline::CacheEntry>> cacheEntriesOf(const web::json::value& execution);

// The cache index of a Pipeline's settled (finished, compacted) executions,
// kept across reconciles. Executions that settle since the last one are
// added as a layer over it, keyed; a removal, a changed version or too many
// layers build it anew from every execution.
struct SettledIndex {
  std::shared_ptr<const pipeline::CacheIndex> index;
  std::shared_ptr<const std::unordered_map<std::string, std::string>> versions;  // key -> resourceVersion in it
  int layers = 0;
};
inline constexpr int kMaxSettledLayers = 32;

using EntriesOf = std::function<std::shared_ptr<const std::vector<pipeline::CacheEntry>>(const std::string& key,
                                                                                          const std::string& version)>;
// `current`: (key, resourceVersion) of the settled executions now; `entries`
// gives one's cache entries (memoized by the caller).
SettledIndex nextSettledIndex(const SettledIndex& last, const std::vector<std::pair<std::string, std::string>>& current,
                              const EntriesOf& entries);

// The settled indexes of a namespace's caching Pipelines, by plan-peer index
// value, each with the Store::compacted_changes figure it was built at.
struct SettledAt {
  uint64_t changes = 0;
  SettledIndex settled;
};
using SettledIndexes = std::map<std::string, SettledAt>;

// Drops the indexes of Pipelines that have no execution left (`changesOf`
// gives 0, as Store::compacted_changes does for a value that lists nothing),
// but never `keep`: no reconcile asks for them again, so they would hold
// their entries until a restart. Dropping one is always safe: the next
// reconcile that needs it builds it anew.
void dropSettledWithoutExecutions(SettledIndexes& indexes, const std::string& keep,
                                  const std::function<uint64_t(const std::string&)>& changesOf);

}  // namespace sluice::controller

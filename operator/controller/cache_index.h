// The cache index (DESIGN.md "Caching") built from the statuses of the
// executions of one Pipeline in one namespace: every Succeeded step that
// ran (or was itself a cache hit/reuse) with a cache key. Pure.
#pragma once

#include <vector>

#include "pipeline/model_json.h"
#include "pipeline/plan_types.h"

namespace sluice::controller {

std::vector<pipeline::CacheEntry> buildCacheIndex(const std::vector<const pipeline::PipelineExecution*>& executions);

// One execution's entries, from its JSON: what a reconcile keeps of each
// other execution of a caching Pipeline (a few URIs per cached step) instead
// of the whole parsed object. A status that does not parse has none.
pipeline::ParseResult<std::vector<pipeline::CacheEntry>> cacheEntriesOf(const web::json::value& execution);

}  // namespace sluice::controller

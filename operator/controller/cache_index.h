// The cache index (DESIGN.md "Caching") built from the statuses of the
// executions of one Pipeline in one namespace: every Succeeded step that
// ran (or was itself a cache hit/reuse) with a cache key. Pure.
#pragma once

#include <vector>

#include "pipeline/plan_types.h"

namespace sluice::controller {

std::vector<pipeline::CacheEntry> buildCacheIndex(const std::vector<const pipeline::PipelineExecution*>& executions);

}  // namespace sluice::controller

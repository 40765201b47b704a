#include "cache_index.h"

#include "pipeline/plan_time.h"

namespace sluice::controller {

std::vector<pipeline::CacheEntry> buildCacheIndex(const std::vector<const pipeline::PipelineExecution*>& executions) {
  std::vector<pipeline::CacheEntry> index;
  for (const pipeline::PipelineExecution* x : executions) {
    const pipeline::PipelineExecution& e = *x;
    for (const auto& s : e.status.steps) {
      if (s.phase != pipeline::StepPhase::Succeeded || s.cacheKey.empty() || !s.endTime) continue;
      // Only steps that really ran are entries: a hit or a reuse carries the
      // consumer's endTime, which would stretch the producer's expiry. The
      // producer's own entry is in the index already.
      if (s.cacheHitExecution || s.reusedFromExecution) continue;
      auto end = pipeline::parseRfc3339(*s.endTime);
      if (!end) continue;
      pipeline::CacheEntry c;
      c.key = s.cacheKey;
      c.execution = e.metadata.name;
      c.step = s.name;
      c.outputs = s.outputs;
      c.properties = s.properties;
      c.endTime = *end;
      index.push_back(std::move(c));
    }
  }
  return index;
}

pipeline::ParseResult<std::vector<pipeline::CacheEntry>> cacheEntriesOf(const web::json::value& execution) {
  const auto parsed = pipeline::parsePipelineExecution(execution);
  return {buildCacheIndex({&parsed.value}), {}};
}

}  // namespace sluice::controller

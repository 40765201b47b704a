#include "cache_index.h"

#include "pipeline/plan_time.h"

namespace sluice::controller {

std::vector<pipeline::CacheEntry> buildCacheIndex(const std::vector<pipeline::PipelineExecution>& executions) {
  std::vector<pipeline::CacheEntry> index;
  for (const auto& e : executions) {
    for (const auto& s : e.status.steps) {
      if (s.phase != pipeline::StepPhase::Succeeded || s.cacheKey.empty() || !s.endTime) continue;
      auto end = pipeline::parseRfc3339(*s.endTime);
      if (!end) continue;
      pipeline::CacheEntry c;
      c.key = s.cacheKey;
      // Entries name the execution that really produced the outputs, so a
      // hit on a hit still points at the producer.
      c.execution = s.cacheHitExecution ? *s.cacheHitExecution
                    : s.reusedFromExecution ? *s.reusedFromExecution
                                            : e.metadata.name;
      c.step = s.name;
      c.outputs = s.outputs;
      c.properties = s.properties;
      c.endTime = *end;
      index.push_back(std::move(c));
    }
  }
  return index;
}

}  // namespace sluice::controller

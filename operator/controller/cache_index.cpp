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

SettledIndex nextSettledIndex(const SettledIndex& last, const std::vector<std::pair<std::string, std::string>>& current,
                              const EntriesOf& entries) {
  auto versions = std::make_shared<std::unordered_map<std::string, std::string>>();
  versions->reserve(current.size());
  std::vector<const std::pair<std::string, std::string>*> added;
  bool onlyAdded = last.index && last.versions && last.layers < kMaxSettledLayers;
  for (const auto& kv : current) {
    versions->emplace(kv.first, kv.second);
    if (!onlyAdded) continue;
    auto was = last.versions->find(kv.first);
    if (was == last.versions->end()) added.push_back(&kv);
    else if (was->second != kv.second) onlyAdded = false;  // changed: its old entries must go
  }
  // None of the last index's executions is gone when the counts agree.
  if (onlyAdded && last.versions->size() + added.size() != current.size()) onlyAdded = false;

  auto index = std::make_shared<pipeline::CacheIndex>();
  auto add = [&](const std::string& key, const std::string& version) {
    if (auto chunk = entries(key, version)) index->add(std::move(chunk));
  };
  SettledIndex next;
  if (onlyAdded) {
    index->add(last.index);
    for (const auto* kv : added) add(kv->first, kv->second);
    next.layers = last.layers + 1;
  } else {
    for (const auto& [key, version] : current) add(key, version);
  }
  index->keyByCacheKey();
  next.index = std::move(index);
  next.versions = std::move(versions);
  return next;
}

void dropSettledWithoutExecutions(SettledIndexes& indexes, const std::string& keep,
                                  const std::function<uint64_t(const std::string&)>& changesOf) {
  for (auto it = indexes.begin(); it != indexes.end();) {
    it = it->first != keep && changesOf(it->first) == 0 ? indexes.erase(it) : std::next(it);
  }
}

}  // namespace sluice::controller

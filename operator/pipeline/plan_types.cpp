#include "plan_types.h"

namespace sluice::pipeline {

CacheIndex::CacheIndex(std::vector<CacheEntry> entries) {
  if (!entries.empty()) chunks_.push_back(std::make_shared<const std::vector<CacheEntry>>(std::move(entries)));
}

void CacheIndex::add(std::shared_ptr<const std::vector<CacheEntry>> chunk) {
  if (!chunk || chunk->empty()) return;
  if (keyed_)
    for (const CacheEntry& e : *chunk) byKey_[e.key].push_back(&e);
  chunks_.push_back(std::move(chunk));
}

void CacheIndex::add(std::shared_ptr<const CacheIndex> part) {
  if (part) parts_.push_back(std::move(part));
}

void CacheIndex::keyByCacheKey() {
  byKey_.clear();
  for (const auto& chunk : chunks_)
    for (const CacheEntry& e : *chunk) byKey_[e.key].push_back(&e);
  keyed_ = true;
}

size_t CacheIndex::size() const {
  size_t n = 0;
  for (const auto& chunk : chunks_) n += chunk->size();
  for (const auto& part : parts_) n += part->size();
  return n;
}

const char* toString(PodPhase p) {
  switch (p) {
    case PodPhase::Pending: return "Pending";
    case PodPhase::Running: return "Running";
    case PodPhase::Succeeded: return "Succeeded";
    case PodPhase::Failed: return "Failed";
    case PodPhase::Unknown: return "Unknown";
  }
  return "Unknown";
}

const char* toString(EventType t) { return t == EventType::Warning ? "Warning" : "Normal"; }

}  // namespace sluice::pipeline

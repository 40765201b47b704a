// Step cache keys and cache lookups (DESIGN.md "Caching").
//
// The key is "sha256:" + hex SHA-256 (OpenSSL) over a canonical JSON
// document (object keys sorted, no whitespace) of what determines a step's
// outputs: image, command, args and env after substitution, input URIs,
// output names and the optional cacheVersion.
#pragma once

#include <cpprest/json.h>

#include <optional>
#include <string>
#include <vector>

#include "model.h"
#include "plan_types.h"

namespace sluice::pipeline {

struct CacheKeyMaterial {
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;  // rendered; order does not matter (sorted by name)
  std::vector<std::pair<std::string, std::string>> inputs;  // name -> URI; sorted by name
  std::vector<std::string> outputNames;                     // sorted
  std::string cacheVersion;
};

// Canonical JSON text: object keys sorted bytewise, no insignificant
// whitespace, strings escaped minimally (", \, control characters).
std::string canonicalJson(const web::json::value& v);

// Lowercase hex SHA-256 of data.
std::string sha256Hex(const std::string& data);

std::string computeCacheKey(const CacheKeyMaterial& m);

// The newest entry with this key whose age (now - endTime) is below
// expireAfterSeconds (nullopt = never expires); nullptr when none.
const CacheEntry* findCacheHit(const std::vector<CacheEntry>& index, const std::string& key,
                               std::optional<int64_t> expireAfterSeconds, UnixSeconds now);

}  // namespace sluice::pipeline

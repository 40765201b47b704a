// Step cache keys and cache lookups (DESIGN.md "Caching").
//
// The key is "sha256:" + hex SHA-256 (OpenSSL) over a canonical JSON
// document (object keys sorted, no whitespace) of what determines a step's
// outputs: image, command, args and env after substitution, input URIs,
// output names, the optional cacheVersion and, for a step that declares
// properties, their declarations.
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
  // Declared properties (name, file, jsonPath); order does not matter
  // (sorted by name). They are in the document only when there are some, so
  // the key of a step without properties is the one it always had and
  // existing cache entries stay valid. With them, adding a property or
  // reading it from another file or path is a different result.
  std::vector<PropertySpec> properties;
};

// Canonical JSON text: object keys sorted bytewise, no insignificant
// whitespace, strings escaped minimally (", \, control characters).
std::string canonicalJson(const web::json::value& v);

// Lowercase hex SHA-256 of data.
std::string sha256Hex(const std::string& data);

std::string computeCacheKey(const CacheKeyMaterial& m);

// The newest entry with this key whose age (now - endTime) is below
// expireAfterSeconds (nullopt = never expires) and that carries a value for
// every declared property (an entry lacking one cannot serve the step, even
// with a matching key); nullptr when none.
// The entry returned lives in `index`: never pass a temporary.
const CacheEntry* findCacheHit(const CacheIndex& index, const std::string& key,
                               std::optional<int64_t> expireAfterSeconds, UnixSeconds now,
                               const std::vector<PropertySpec>& declared = {});
const CacheEntry* findCacheHit(CacheIndex&& index, const std::string& key, std::optional<int64_t> expireAfterSeconds,
                               UnixSeconds now, const std::vector<PropertySpec>& declared = {}) = delete;

// The cache settings the planner applies to a step: its own cache when it
// has one (as a whole, no field-by-field merge), else defaults.cache.
const CacheSpec& effectiveCache(const StepSpec& step, const StepDefaults& defaults);

// Whether any step of the spec has caching on (effectiveCache): when none
// has, the planner never looks at the cache index, so it need not be built.
bool anyStepCached(const PipelineSpec& spec);

}  // namespace sluice::pipeline

// Cache keys: canonical JSON, SHA-256 (OpenSSL), what the key covers, and
// the newest-young-enough lookup.
#include <gtest/gtest.h>

#include <functional>

#include "cache_key.h"

namespace sluice::pipeline {
namespace {

TEST(CacheKey, Sha256MatchesTheFips180Vectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CacheKey, CanonicalJsonSortsKeysAndHasNoWhitespace) {
  auto v = web::json::value::parse(R"({ "b": [1, "x\"y", {"z": true, "a": null}], "a": "\u0001" })");
  EXPECT_EQ(canonicalJson(v), R"({"a":"\u0001","b":[1,"x\"y",{"a":null,"z":true}]})");
}

CacheKeyMaterial base() {
  CacheKeyMaterial m;
  m.image = "registry.example/abalone:1.0";
  m.command = {"python", "train.py"};
  m.args = {"--num-round", "120"};
  m.env = {{"B", "2"}, {"A", "1"}};
  m.inputs = {{"train", "s3://b/p/train/"}, {"extra", "s3://b/x/"}};
  m.outputNames = {"model", "metrics"};
  return m;
}

TEST(CacheKey, StableAndIndependentOfMapLikeOrder) {
  const std::string k = computeCacheKey(base());
  EXPECT_EQ(k.rfind("sha256:", 0), 0u);
  EXPECT_EQ(k.size(), 7u + 64u);
  EXPECT_EQ(computeCacheKey(base()), k);
  CacheKeyMaterial reordered = base();
  std::swap(reordered.env[0], reordered.env[1]);
  std::swap(reordered.inputs[0], reordered.inputs[1]);
  std::swap(reordered.outputNames[0], reordered.outputNames[1]);
  EXPECT_EQ(computeCacheKey(reordered), k);
}

TEST(CacheKey, EveryCoveredFieldChangesTheKey) {
  struct Row {
    const char* name;
    std::function<void(CacheKeyMaterial&)> change;
  };
  const std::vector<Row> rows = {
      {"image", [](CacheKeyMaterial& m) { m.image += "-2"; }},
      {"command", [](CacheKeyMaterial& m) { m.command[1] = "train2.py"; }},
      {"args", [](CacheKeyMaterial& m) { m.args[1] = "150"; }},
      {"args split differently", [](CacheKeyMaterial& m) { m.args = {"--num-round 120"}; }},
      {"env value", [](CacheKeyMaterial& m) { m.env[0].value = "3"; }},
      {"input uri", [](CacheKeyMaterial& m) { m.inputs[0].second = "s3://b/q/train/"; }},
      {"output names", [](CacheKeyMaterial& m) { m.outputNames.push_back("extra"); }},
      {"cacheVersion", [](CacheKeyMaterial& m) { m.cacheVersion = "2"; }},
  };
  const std::string k = computeCacheKey(base());
  for (const auto& row : rows) {
    CacheKeyMaterial m = base();
    row.change(m);
    EXPECT_NE(computeCacheKey(m), k) << row.name;
  }
}

TEST(CacheKey, LookupTakesTheNewestEntryYoungerThanExpireAfter) {
  const std::vector<CacheEntry> index = {
      {"k", "old", "Train", {}, {}, 1000},
      {"k", "new", "Train", {}, {}, 5000},
      {"other", "x", "Train", {}, {}, 9000},
  };
  struct Row {
    const char* name;
    std::string key;
    std::optional<int64_t> expire;
    UnixSeconds now;
    const char* expected;  // nullptr = miss
  };
  const std::vector<Row> rows = {
      {"no expiry: newest", "k", std::nullopt, 1000000, "new"},
      {"both young: newest", "k", 10000, 6000, "new"},
      {"exactly expireAfter old is expired", "k", 1000, 6000, nullptr},
      {"newest young", "k", 2000, 6000, "new"},
      {"all expired", "k", 100, 9000, nullptr},
      {"unknown key", "nope", std::nullopt, 6000, nullptr},
  };
  const CacheIndex indexed(index);
  for (const auto& row : rows) {
    const CacheEntry* hit = findCacheHit(indexed, row.key, row.expire, row.now);
    if (!row.expected) {
      EXPECT_EQ(hit, nullptr) << row.name;
    } else {
      ASSERT_NE(hit, nullptr) << row.name;
      EXPECT_EQ(hit->execution, row.expected) << row.name;
    }
  }
}


// Computed before properties joined the key: a step that declares none must
// keep exactly this key, so caches written by earlier versions stay valid.
TEST(CacheKey, AStepWithoutPropertiesKeepsItsKey) {
  EXPECT_EQ(computeCacheKey(base()), "sha256:f58af2f44a124cb894285533d28293a14ebcf196cec7ca06d2fd6eab280770a1");
}

TEST(CacheKey, DeclaredPropertiesAreCoveredWhateverTheirOrder) {
  CacheKeyMaterial with = base();
  with.properties = {{"rmse", "/opt/ml/eval/evaluation.json", "regression_metrics.rmse.value"},
                     {"mse", "/opt/ml/eval/evaluation.json", "regression_metrics.mse.value"}};
  const std::string k = computeCacheKey(with);
  EXPECT_NE(k, computeCacheKey(base())) << "adding a property";

  CacheKeyMaterial reordered = with;
  std::swap(reordered.properties[0], reordered.properties[1]);
  EXPECT_EQ(computeCacheKey(reordered), k);

  struct Row {
    const char* name;
    std::function<void(CacheKeyMaterial&)> change;
  };
  const std::vector<Row> rows = {
      {"property jsonPath", [](CacheKeyMaterial& m) { m.properties[0].jsonPath = "regression_metrics.rmse.v2"; }},
      {"property file", [](CacheKeyMaterial& m) { m.properties[0].file = "/opt/ml/eval/other.json"; }},
      {"property name", [](CacheKeyMaterial& m) { m.properties[0].name = "rmse2"; }},
      {"one property fewer", [](CacheKeyMaterial& m) { m.properties.pop_back(); }},
  };
  for (const auto& row : rows) {
    CacheKeyMaterial m = with;
    row.change(m);
    EXPECT_NE(computeCacheKey(m), k) << row.name;
  }
}

TEST(CacheKey, AnEntryLackingADeclaredPropertyIsNotAHit) {
  const std::vector<PropertySpec> declared = {{"mse", "/e.json", "mse"}, {"rmse", "/e.json", "rmse"}};
  const std::vector<CacheEntry> index = {
      {"k", "complete", "Evaluate", {}, {{"mse", "4"}, {"rmse", "2"}}, 1000},
      {"k", "lacking", "Evaluate", {}, {{"mse", "4"}}, 5000},
  };
  // The newer entry lacks rmse: the older complete one serves.
  const CacheIndex both(index), lackingOnly(std::vector<CacheEntry>{index[1]});
  const CacheEntry* hit = findCacheHit(both, "k", std::nullopt, 6000, declared);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->execution, "complete");
  EXPECT_EQ(findCacheHit(lackingOnly, "k", std::nullopt, 6000, declared), nullptr);
  // Without declared properties the newest entry wins as before.
  EXPECT_EQ(findCacheHit(both, "k", std::nullopt, 6000)->execution, "lacking");
}

// The index as the controller hands it over: running executions' chunks
// walked, a keyed part of the finished ones shared whole. A lookup finds the
// same newest entry whichever part holds it.
TEST(CacheKey, AnIndexOfChunksAndAKeyedPartFindsWhatAFlatListFinds) {
  auto chunk = [](std::vector<CacheEntry> entries) {
    return std::make_shared<const std::vector<CacheEntry>>(std::move(entries));
  };
  const std::vector<CacheEntry> settled1 = {{"k1", "old-a", "Train", {}, {}, 1000}, {"k2", "old-a", "Eval", {}, {}, 1000}};
  const std::vector<CacheEntry> settled2 = {{"k1", "old-b", "Train", {}, {}, 3000}};
  const std::vector<CacheEntry> running = {{"k1", "now", "Train", {}, {}, 2000}, {"k3", "now", "Eval", {}, {}, 2500}};

  auto settled = std::make_shared<CacheIndex>();
  settled->add(chunk(settled1));
  settled->keyByCacheKey();
  settled->add(chunk(settled2));  // added after keying: still found
  CacheIndex index;
  index.add(chunk(running));
  index.add(std::shared_ptr<const CacheIndex>(settled));

  std::vector<CacheEntry> flat = settled1;
  flat.insert(flat.end(), settled2.begin(), settled2.end());
  flat.insert(flat.end(), running.begin(), running.end());
  EXPECT_EQ(index.size(), flat.size());
  const CacheIndex flatIndex(flat);
  for (const std::string key : {"k1", "k2", "k3", "none"}) {
    for (const std::optional<int64_t> expire : {std::optional<int64_t>(), std::optional<int64_t>(1500)}) {
      const CacheEntry* a = findCacheHit(index, key, expire, 4000);
      const CacheEntry* b = findCacheHit(flatIndex, key, expire, 4000);
      ASSERT_EQ(a == nullptr, b == nullptr) << key;
      if (a) {
        EXPECT_EQ(a->execution, b->execution) << key;
      }
    }
  }
  EXPECT_EQ(findCacheHit(index, "k1", std::nullopt, 4000)->execution, "old-b") << "the newest, from the keyed part";
  EXPECT_EQ(findCacheHit(index, "k3", std::nullopt, 4000)->execution, "now") << "from a running execution's chunk";

  CacheIndex copy = index;  // the planner's input is copied: the keyed part stays valid
  EXPECT_EQ(findCacheHit(copy, "k2", std::nullopt, 4000)->execution, "old-a");
}

TEST(CacheKey, EffectiveCacheIsTheStepsOwnElseTheDefaults) {
  StepDefaults defaults;
  defaults.cache = CacheSpec{true, std::nullopt, std::string("d1")};
  StepSpec step;
  EXPECT_EQ(effectiveCache(step, defaults).cacheVersion, std::optional<std::string>("d1"));
  // A step's own cache replaces the defaults as a whole (no field-by-field merge).
  step.cache = CacheSpec{true, std::string("P1D"), std::nullopt};
  EXPECT_EQ(effectiveCache(step, defaults).cacheVersion, std::nullopt);
  EXPECT_EQ(effectiveCache(step, defaults).expireAfter, std::optional<std::string>("P1D"));
}

TEST(CacheKey, AnyStepCachedFollowsTheEffectiveCache) {
  PipelineSpec spec;
  spec.steps.resize(2);
  EXPECT_FALSE(anyStepCached(spec));
  spec.defaults.cache = CacheSpec{true, std::nullopt, std::nullopt};
  EXPECT_TRUE(anyStepCached(spec)) << "on by default for every step";
  spec.steps[0].cache = CacheSpec{};
  spec.steps[1].cache = CacheSpec{};
  EXPECT_FALSE(anyStepCached(spec)) << "both steps turn the default off";
  spec.defaults.cache = CacheSpec{};
  spec.steps[1].cache = CacheSpec{true, std::string("P1D"), std::nullopt};
  EXPECT_TRUE(anyStepCached(spec)) << "one step's own cache";
}

}  // namespace
}  // namespace sluice::pipeline

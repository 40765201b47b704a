#include "controller/parsed_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

namespace sluice::controller {
namespace {

using web::json::value;

kube::ObjectPtr snapshot(const std::string& name) {
  value v;
  v["metadata"]["name"] = value::string(name);
  return std::make_shared<const value>(v);
}

// Parses to the object's name and counts how often it ran.
struct CountingParse {
  std::atomic<int>* calls;
  pipeline::ParseResult<std::string> operator()(const value& v) const {
    ++*calls;
    return {v.at("metadata").at("name").as_string(), {}};
  }
};

TEST(ParsedCache, ParsesEachSnapshotOnce) {
  std::atomic<int> calls{0};
  ParsedCache<std::string> cache(CountingParse{&calls});
  auto a = snapshot("a");
  EXPECT_EQ(cache.get(a)->value, "a");
  EXPECT_EQ(cache.get(a)->value, "a");
  EXPECT_EQ(cache.get(a).get(), cache.get(a).get()) << "the same parsed object is shared";
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(cache.hits(), 3u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(ParsedCache, ANewVersionIsANewSnapshotAndParsedAgain) {
  std::atomic<int> calls{0};
  ParsedCache<std::string> cache(CountingParse{&calls});
  auto v1 = snapshot("v1");
  auto v2 = snapshot("v2");  // what the store holds after an update
  EXPECT_EQ(cache.get(v1)->value, "v1");
  EXPECT_EQ(cache.get(v2)->value, "v2");
  EXPECT_EQ(calls.load(), 2);
}

TEST(ParsedCache, AReusedAddressIsNotMistakenForTheDeadSnapshot) {
  std::atomic<int> calls{0};
  ParsedCache<std::string> cache(CountingParse{&calls});
  // Allocate and free repeatedly: the allocator hands the same address back
  // often, and each time the cache must parse the new object.
  for (int i = 0; i < 200; ++i) {
    auto o = snapshot("n" + std::to_string(i));
    ASSERT_EQ(cache.get(o)->value, "n" + std::to_string(i));
  }
  EXPECT_EQ(calls.load(), 200);
}

TEST(ParsedCache, DeadSnapshotsAreSweptAway) {
  std::atomic<int> calls{0};
  ParsedCache<std::string> cache(CountingParse{&calls});
  std::vector<kube::ObjectPtr> live;
  for (int i = 0; i < 10; ++i) live.push_back(snapshot("live" + std::to_string(i)));
  for (const auto& o : live) cache.get(o);
  std::vector<kube::ObjectPtr> dead;
  for (int i = 0; i < 500; ++i) dead.push_back(snapshot("dead" + std::to_string(i)));
  for (const auto& o : dead) cache.get(o);
  dead.clear();
  // More inserts trigger sweeps; the dead 500 must not stay.
  for (int i = 0; i < 600; ++i) cache.get(snapshot("tmp" + std::to_string(i)));
  // A sweep runs after as many inserts as there are entries (at least 64):
  // what is left is the live ten plus at most one round of new entries.
  EXPECT_LE(cache.size(), 10u + 64u);
  const int before = calls.load();
  for (const auto& o : live) EXPECT_EQ(cache.get(o)->value, o->at("metadata").at("name").as_string());
  EXPECT_EQ(calls.load(), before) << "live snapshots keep their parse";
}

}  // namespace
}  // namespace sluice::controller

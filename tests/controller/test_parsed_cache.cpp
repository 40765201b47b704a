#include "controller/parsed_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

namespace sluice::controller {
namespace {

using web::json::value;

// A fresh copy each call, as a store hands out a compacted object.
kube::ObjectPtr snapshot(const std::string& name, const std::string& version, const std::string& content = "") {
  value v;
  v["metadata"]["namespace"] = value::string("ns");
  v["metadata"]["name"] = value::string(name);
  if (!version.empty()) v["metadata"]["resourceVersion"] = value::string(version);
  v["content"] = value::string(content.empty() ? name + "@" + version : content);
  return std::make_shared<const value>(v);
}

// Parses to the object's content and counts how often it ran.
struct CountingParse {
  std::atomic<int>* calls;
  pipeline::ParseResult<std::string> operator()(const value& v) const {
    ++*calls;
    return {v.at("content").as_string(), {}};
  }
};

// What the store holds: key -> resourceVersion.
struct Versions {
  std::map<std::string, std::string> held;
  ParsedCache<std::string>::CurrentVersionFn fn() {
    return [this](const std::string& key) -> std::optional<std::string> {
      auto it = held.find(key);
      if (it == held.end()) return std::nullopt;
      return it->second;
    };
  }
};

TEST(ParsedCache, ParsesEachVersionOnceEvenFromFreshCopies) {
  std::atomic<int> calls{0};
  Versions store;
  store.held["ns/a"] = "7";
  ParsedCache<std::string> cache(CountingParse{&calls}, store.fn());
  EXPECT_EQ(cache.get(snapshot("a", "7"))->value, "a@7");
  EXPECT_EQ(cache.get(snapshot("a", "7"))->value, "a@7");
  EXPECT_EQ(cache.get(snapshot("a", "7")).get(), cache.get(snapshot("a", "7")).get()) << "one shared parse";
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(cache.hits(), 3u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(ParsedCache, ANewVersionIsParsedAgain) {
  std::atomic<int> calls{0};
  Versions store;
  ParsedCache<std::string> cache(CountingParse{&calls}, store.fn());
  EXPECT_EQ(cache.get(snapshot("a", "7"))->value, "a@7");
  EXPECT_EQ(cache.get(snapshot("a", "8"))->value, "a@8");
  EXPECT_EQ(cache.get(snapshot("b", "7"))->value, "b@7") << "the version names a version of one object only";
  EXPECT_EQ(calls.load(), 3);
}

TEST(ParsedCache, AnObjectWithoutAVersionIsParsedEveryTime) {
  std::atomic<int> calls{0};
  Versions store;
  ParsedCache<std::string> cache(CountingParse{&calls}, store.fn());
  EXPECT_EQ(cache.get(snapshot("a", "", "one"))->value, "one");
  EXPECT_EQ(cache.get(snapshot("a", "", "two"))->value, "two") << "no version: nothing tells two objects apart";
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ParsedCache, VersionsTheStoreNoLongerHoldsAreSweptAway) {
  std::atomic<int> calls{0};
  Versions store;
  ParsedCache<std::string> cache(CountingParse{&calls}, store.fn());
  for (int i = 0; i < 10; ++i) {
    store.held["ns/live" + std::to_string(i)] = "1";
    cache.get(snapshot("live" + std::to_string(i), "1"));
  }
  for (int i = 0; i < 500; ++i) cache.get(snapshot("gone" + std::to_string(i), "1"));  // deleted from the store
  // More inserts trigger sweeps; the 500 must not stay.
  for (int i = 0; i < 600; ++i) cache.get(snapshot("tmp" + std::to_string(i), "1"));
  // A sweep runs after as many inserts as there are entries (at least 64):
  // what is left is the live ten plus at most one round of new entries.
  EXPECT_LE(cache.size(), 10u + 64u);
  const int before = calls.load();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(cache.get(snapshot("live" + std::to_string(i), "1"))->value, "live" + std::to_string(i) + "@1");
  EXPECT_EQ(calls.load(), before) << "held versions keep their parse";
}

TEST(ParsedCache, AParseHandedOverIsServedForItsVersionOnly) {
  std::atomic<int> calls{0};
  Versions store;
  store.held["ns/a"] = "7";
  ParsedCache<std::string> cache(CountingParse{&calls}, store.fn());
  cache.put("ns/a", "7", {"handed over", {}});
  int loads = 0;
  auto load = [&] {
    ++loads;
    return snapshot("a", store.held["ns/a"]);
  };
  EXPECT_EQ(cache.get("ns/a", "7", load)->value, "handed over");
  EXPECT_EQ(loads, 0) << "no read of the store for a version handed over";
  EXPECT_EQ(calls.load(), 0);
  store.held["ns/a"] = "8";
  EXPECT_EQ(cache.get("ns/a", "8", load)->value, "a@8") << "another version is read and parsed";
  EXPECT_EQ(loads, 1);
  cache.put("ns/b", "", {"no version", {}});
  EXPECT_EQ(cache.size(), 1u) << "without a version nothing is kept";
}

}  // namespace
}  // namespace sluice::controller

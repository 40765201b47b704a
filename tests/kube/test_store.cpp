#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <thread>

#include "kube/informer.h"
#include "kube/store.h"
#include "kube/watch_event.h"

namespace sluice::kube {
namespace {

web::json::value obj(const std::string& ns, const std::string& name, const std::string& rv,
                     const std::string& labels = "{}", const std::string& owners = "[]") {
  return web::json::value::parse(R"({"metadata":{"namespace":")" + ns + R"(","name":")" + name +
                                 R"(","resourceVersion":")" + rv + R"(","labels":)" + labels +
                                 R"(,"ownerReferences":)" + owners + "}}");
}

ObjectPtr ptr(web::json::value v) { return std::make_shared<const web::json::value>(std::move(v)); }

std::vector<std::string> names(const std::vector<ObjectPtr>& objs) {
  std::vector<std::string> out;
  for (const auto& o : objs) out.push_back(object_key(*o));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(StripManagedFields, DropsOnlyManagedFields) {
  auto v = web::json::value::parse(
      R"({"metadata":{"name":"a","resourceVersion":"7","managedFields":[{"manager":"m","operation":"Update",)"
      R"("fieldsV1":{"f:status":{}}}]},"status":{"phase":"Succeeded"}})");
  strip_managed_fields(v);
  EXPECT_EQ(v, web::json::value::parse(R"({"metadata":{"name":"a","resourceVersion":"7"},"status":{"phase":"Succeeded"}})"));
  for (const char* odd : {"null", "[]", R"({"metadata":5})", R"({"spec":{}})"}) {
    auto o = web::json::value::parse(odd);
    const auto before = o;
    strip_managed_fields(o);  // nothing to strip: left as it is, never throws
    EXPECT_EQ(o, before) << odd;
  }
}

TEST(StoreTest, UpsertGetRemove) {
  Store s;
  EXPECT_EQ(s.upsert(ptr(obj("a", "x", "1"))), nullptr);
  auto prev = s.upsert(ptr(obj("a", "x", "2")));
  ASSERT_NE(prev, nullptr);
  EXPECT_EQ(object_resource_version(*prev), "1");
  EXPECT_EQ(object_resource_version(*s.get("a/x")), "2");
  EXPECT_EQ(s.size(), 1u);
  EXPECT_NE(s.remove("a/x"), nullptr);
  EXPECT_EQ(s.remove("a/x"), nullptr);
  EXPECT_EQ(s.get("a/x"), nullptr);
}

TEST(StoreTest, IndexesFollowUpdatesAndDeletes) {
  Store s;
  s.upsert(ptr(obj("a", "x", "1", R"({"app":"web","tier":"fe"})", R"([{"uid":"owner-1"}])")));
  s.upsert(ptr(obj("a", "y", "1", R"({"app":"db"})", R"([{"uid":"owner-1"},{"uid":"owner-2"}])")));
  s.upsert(ptr(obj("b", "z", "1", R"({"app":"web"})")));

  EXPECT_EQ(names(s.by_namespace("a")), (std::vector<std::string>{"a/x", "a/y"}));
  EXPECT_EQ(names(s.by_label("app", "web")), (std::vector<std::string>{"a/x", "b/z"}));
  EXPECT_EQ(names(s.by_owner_uid("owner-1")), (std::vector<std::string>{"a/x", "a/y"}));
  EXPECT_EQ(names(s.by_owner_uid("owner-2")), (std::vector<std::string>{"a/y"}));

  // Relabel x: it must leave the old label bucket.
  s.upsert(ptr(obj("a", "x", "2", R"({"app":"db"})")));
  EXPECT_EQ(names(s.by_label("app", "web")), (std::vector<std::string>{"b/z"}));
  EXPECT_EQ(names(s.by_label("app", "db")), (std::vector<std::string>{"a/x", "a/y"}));
  EXPECT_EQ(names(s.by_owner_uid("owner-1")), (std::vector<std::string>{"a/y"}));

  s.remove("a/y");
  EXPECT_TRUE(s.by_owner_uid("owner-2").empty());
  EXPECT_TRUE(s.by_index("no-such-index", "x").empty());
}

TEST(StoreTest, CustomIndex) {
  Store s;
  s.add_index("rv", [](const web::json::value& o) { return std::vector<std::string>{object_resource_version(o)}; });
  s.upsert(ptr(obj("a", "x", "5")));
  EXPECT_EQ(names(s.by_index("rv", "5")), (std::vector<std::string>{"a/x"}));
  EXPECT_THROW(s.add_index("late", nullptr), std::logic_error);
}

TEST(StoreTest, ReplaceReportsAddsUpdatesAndMissedDeletes) {
  Store s;
  s.upsert(ptr(obj("a", "keep", "1")));
  s.upsert(ptr(obj("a", "change", "1", R"({"v":"old"})")));
  s.upsert(ptr(obj("a", "gone", "1", R"({"v":"old"})")));

  std::vector<web::json::value> fresh{obj("a", "keep", "1"), obj("a", "change", "2", R"({"v":"new"})"),
                                      obj("a", "new", "3")};
  auto deltas = s.replace(std::move(fresh));

  std::map<std::string, Store::Delta::Type> got;
  for (const auto& d : deltas) got[object_key(*d.object)] = d.type;
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(got["a/change"], Store::Delta::Type::Updated);
  EXPECT_EQ(got["a/gone"], Store::Delta::Type::Deleted);
  EXPECT_EQ(got["a/new"], Store::Delta::Type::Added);
  for (const auto& d : deltas) {
    if (d.type == Store::Delta::Type::Updated) {
      EXPECT_EQ(object_resource_version(*d.old_object), "1");
    }
  }
  EXPECT_EQ(names(s.list()), (std::vector<std::string>{"a/change", "a/keep", "a/new"}));
  EXPECT_TRUE(s.by_label("v", "old").empty());
  EXPECT_EQ(names(s.by_label("v", "new")), (std::vector<std::string>{"a/change"}));
}

TEST(StoreTest, ScopedReplaceDeletesOnlyInItsNamespace) {
  Store s;
  s.upsert(ptr(obj("team-a", "x", "1")));
  s.upsert(ptr(obj("team-a", "gone", "1")));
  s.upsert(ptr(obj("team-b", "y", "1")));

  // team-a relisted: its missing object is deleted, team-b's is not.
  auto deltas = s.replace({obj("team-a", "x", "1")}, std::string("team-a"));
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].type, Store::Delta::Type::Deleted);
  EXPECT_EQ(object_key(*deltas[0].object), "team-a/gone");
  EXPECT_EQ(names(s.list()), (std::vector<std::string>{"team-a/x", "team-b/y"}));

  // An empty team-b list empties team-b only.
  deltas = s.replace(std::vector<web::json::value>{}, std::string("team-b"));
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(object_key(*deltas[0].object), "team-b/y");
  EXPECT_EQ(names(s.list()), (std::vector<std::string>{"team-a/x"}));

  // Unscoped, the list is the whole store.
  deltas = s.replace(std::vector<web::json::value>{});
  EXPECT_EQ(deltas.size(), 1u);
  EXPECT_TRUE(s.list().empty());
}

TEST(StoreTest, AScopeIsAWholeNamespaceNotAPrefix) {
  Store s;
  s.upsert(ptr(obj("team-a", "x", "1")));
  EXPECT_TRUE(s.replace(std::vector<web::json::value>{}, std::string("team")).empty()) << "team-a is not in namespace team";
  EXPECT_EQ(s.size(), 1u);
}

// Objects the policy picks are held as text; every read gives the same
// object, every index and count stays right through updates and deletes.
TEST(StoreTest, CompactedObjectsReadBackTheSameAndStayIndexed) {
  auto labelled = [](const std::string& name, const std::string& rv, const std::string& phase) {
    return obj("a", name, rv, R"({"phase":")" + phase + R"(","app":"x"})", R"([{"uid":"owner-1"}])");
  };
  auto phaseOf = [](const web::json::value& o) { return o.at("metadata").at("labels").at("phase").as_string(); };
  Store s;
  s.set_compaction([&](const web::json::value& o) { return phaseOf(o) == "Done"; });
  s.set_summary(phaseOf);
  s.upsert(ptr(labelled("running", "1", "Running")));
  const auto done = labelled("done", "2", "Done");
  s.upsert(ptr(done));
  EXPECT_EQ(s.compacted_count(), 1u);
  ASSERT_NE(s.get("a/done"), nullptr);
  EXPECT_EQ(*s.get("a/done"), done) << "read back from its text, the same object";
  EXPECT_EQ(s.resource_version("a/done"), std::optional<std::string>("2"));
  EXPECT_EQ(s.resource_version("a/none"), std::nullopt);
  EXPECT_EQ(names(s.by_label("app", "x")), (std::vector<std::string>{"a/done", "a/running"}));
  EXPECT_EQ(names(s.by_owner_uid("owner-1")), (std::vector<std::string>{"a/done", "a/running"}));
  EXPECT_EQ(names(s.by_index_uncompacted(kIndexLabel, "app=x")), (std::vector<std::string>{"a/running"}));
  auto versions = s.versions_by_index(kIndexLabel, "app=x");
  std::sort(versions.begin(), versions.end());
  EXPECT_EQ(versions, (std::vector<std::pair<std::string, std::string>>{{"a/done", "2"}, {"a/running", "1"}}));
  EXPECT_EQ(s.summary_counts(), (std::map<std::string, size_t>{{"Done", 1}, {"Running", 1}}));
  EXPECT_EQ(names(s.list()), (std::vector<std::string>{"a/done", "a/running"}));

  // Running finishes: compacted now; the previous version comes back whole.
  auto previous = s.upsert(ptr(labelled("running", "3", "Done")));
  ASSERT_NE(previous, nullptr);
  EXPECT_EQ(*previous, labelled("running", "1", "Running"));
  EXPECT_EQ(s.compacted_count(), 2u);
  EXPECT_EQ(s.summary_counts(), (std::map<std::string, size_t>{{"Done", 2}}));
  EXPECT_TRUE(s.by_label("phase", "Running").empty()) << "the old label value is unindexed without a parse";
  EXPECT_TRUE(s.by_index_uncompacted(kIndexLabel, "app=x").empty());

  // A compacted object changed back (a spec edit, say): held parsed again.
  s.upsert(ptr(labelled("done", "4", "Running")));
  EXPECT_EQ(s.compacted_count(), 1u);
  EXPECT_EQ(names(s.by_index_uncompacted(kIndexLabel, "app=x")), (std::vector<std::string>{"a/done"}));

  // A relist: an unchanged compacted object is no delta; a changed one is an
  // update whose old object is whole; a missing one a delete.
  auto deltas = s.replace({labelled("running", "3", "Done"), labelled("done", "5", "Done")});
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].type, Store::Delta::Type::Updated);
  EXPECT_EQ(*deltas[0].old_object, labelled("done", "4", "Running"));
  deltas = s.replace({labelled("done", "5", "Done")});
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].type, Store::Delta::Type::Deleted);
  EXPECT_EQ(*deltas[0].object, labelled("running", "3", "Done"));

  auto removed = s.remove("a/done");
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(*removed, labelled("done", "5", "Done"));
  EXPECT_EQ(s.compacted_count(), 0u);
  EXPECT_TRUE(s.summary_counts().empty());
  EXPECT_TRUE(s.by_owner_uid("owner-1").empty());
}

TEST(StoreTest, CompactedChangesCountWhatComesAndGoesAmongTheCompactedOnly) {
  auto labelled = [](const std::string& name, const std::string& rv, const std::string& phase,
                     const std::string& app = "x") {
    return obj("a", name, rv, R"({"phase":")" + phase + R"(","app":")" + app + R"("})");
  };
  Store s;
  s.set_compaction([](const web::json::value& o) {
    return o.at("metadata").at("labels").at("phase").as_string() == "Done";
  });
  using Held = Store::Held;
  auto sorted = [](std::vector<std::pair<std::string, std::string>> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(s.compacted_changes(kIndexLabel, "app=x"), 0u);
  s.upsert(ptr(labelled("r", "1", "Running")));
  EXPECT_EQ(s.compacted_changes(kIndexLabel, "app=x"), 0u) << "an uncompacted object is no change";
  s.upsert(ptr(labelled("d", "2", "Done")));
  const uint64_t afterOne = s.compacted_changes(kIndexLabel, "app=x");
  EXPECT_GT(afterOne, 0u);
  EXPECT_EQ(sorted(s.versions_by_index(kIndexLabel, "app=x", Held::Compacted)),
            (std::vector<std::pair<std::string, std::string>>{{"a/d", "2"}}));
  EXPECT_EQ(sorted(s.versions_by_index(kIndexLabel, "app=x", Held::Uncompacted)),
            (std::vector<std::pair<std::string, std::string>>{{"a/r", "1"}}));
  EXPECT_EQ(s.versions_by_index(kIndexLabel, "app=x").size(), 2u);

  s.upsert(ptr(labelled("r", "3", "Running")));  // the running one changes
  s.upsert(ptr(labelled("o", "4", "Done", "y")));  // another index value
  EXPECT_EQ(s.compacted_changes(kIndexLabel, "app=x"), afterOne) << "nothing compacted under app=x came or went";

  s.upsert(ptr(labelled("r", "5", "Done")));  // finishes: compacted
  const uint64_t afterTwo = s.compacted_changes(kIndexLabel, "app=x");
  EXPECT_GT(afterTwo, afterOne);
  s.remove("a/d");
  const uint64_t afterRemove = s.compacted_changes(kIndexLabel, "app=x");
  EXPECT_GT(afterRemove, afterTwo);
  s.replace({labelled("r", "5", "Done"), labelled("o", "4", "Done", "y")});
  EXPECT_EQ(s.compacted_changes(kIndexLabel, "app=x"), afterRemove) << "a relist that changes nothing";
  s.replace({labelled("o", "4", "Done", "y")});
  EXPECT_NE(s.compacted_changes(kIndexLabel, "app=x"), afterRemove) << "a delete seen at a relist";
  EXPECT_EQ(s.compacted_changes(kIndexLabel, "app=x"), 0u) << "nothing listed under app=x: nothing kept for it";
  EXPECT_TRUE(s.versions_by_index(kIndexLabel, "app=x", Held::Compacted).empty());
  s.upsert(ptr(labelled("again", "7", "Done")));
  const uint64_t again = s.compacted_changes(kIndexLabel, "app=x");
  for (uint64_t earlier : {afterOne, afterTwo, afterRemove}) EXPECT_NE(again, earlier) << "a figure never repeats";
}

// A relist prepared page by page: a compacted object's delta carries only
// its key (the informer reads it when it calls its handlers), the store is
// the same as from parsed items.
TEST(StoreTest, PreparedItemsReplaceWithoutHoldingCompactedOnesParsed) {
  Store s;
  s.set_compaction([](const web::json::value& o) { return object_name(o) == "done"; });
  std::vector<Store::Prepared> items;
  items.push_back(s.prepare(obj("a", "done", "1", R"({"app":"x"})")));
  items.push_back(s.prepare(obj("a", "live", "2", R"({"app":"x"})")));
  EXPECT_EQ(items[0].key(), "a/done");
  auto deltas = s.replace(std::move(items));
  ASSERT_EQ(deltas.size(), 2u);
  std::map<std::string, Store::Delta> byKey;
  for (const auto& d : deltas) byKey.emplace(d.key, d);
  EXPECT_EQ(byKey.at("a/done").type, Store::Delta::Type::Added);
  EXPECT_EQ(byKey.at("a/done").object, nullptr) << "compacted: no parsed object held for the delta";
  ASSERT_NE(byKey.at("a/live").object, nullptr);
  EXPECT_EQ(*s.get("a/done"), obj("a", "done", "1", R"({"app":"x"})"));
  EXPECT_EQ(s.compacted_count(), 1u);
  EXPECT_EQ(names(s.by_label("app", "x")), (std::vector<std::string>{"a/done", "a/live"}));
}

// A list taken while the operator wrote: what the store holds at a later
// version than the list (assumed writes) is neither deleted nor rolled back.
TEST(StoreTest, ARelistKeepsWhatIsLaterThanTheList) {
  Store s;
  s.upsert(ptr(obj("a", "listed", "90")));
  s.upsert(ptr(obj("a", "created-after", "105")));  // assumed: created after the list's snapshot
  s.upsert(ptr(obj("a", "written-after", "110")));  // assumed: the list saw it at 95
  s.upsert(ptr(obj("a", "gone", "80")));
  auto deltas = s.replace({obj("a", "listed", "90"), obj("a", "written-after", "95")}, std::nullopt, std::string("100"));
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].type, Store::Delta::Type::Deleted);
  EXPECT_EQ(deltas[0].key, "a/gone");
  EXPECT_EQ(names(s.list()), (std::vector<std::string>{"a/created-after", "a/listed", "a/written-after"}));
  EXPECT_EQ(s.resource_version("a/written-after"), std::optional<std::string>("110"));
  // Without the list's version (or with versions that are not integers) the list is the truth.
  deltas = s.replace({obj("a", "listed", "90"), obj("a", "written-after", "95")});
  EXPECT_EQ(names(s.list()), (std::vector<std::string>{"a/listed", "a/written-after"}));
  EXPECT_EQ(s.resource_version("a/written-after"), std::optional<std::string>("110"))
      << "a later version is never rolled back";
}

TEST(StoreTest, CompactionAndSummaryAreSetBeforeTheStoreIsFilled) {
  Store s;
  s.upsert(ptr(obj("a", "x", "1")));
  EXPECT_THROW(s.set_compaction([](const web::json::value&) { return true; }), std::logic_error);
  EXPECT_THROW(s.set_summary([](const web::json::value&) { return std::string(); }), std::logic_error);
}

TEST(InformerTest, AListOfNamespacesMustNotHoldAllOrADuplicate) {
  Config config;
  config.server = "https://127.0.0.1:1";  // never contacted: nothing is started
  auto client = Client::create(config);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  const auto cms = resources::config_maps();
  EXPECT_THROW(Informer(*client, cms, std::vector<std::string>{"a", ""}), std::invalid_argument);
  EXPECT_THROW(Informer(*client, cms, std::vector<std::string>{"a", "b", "a"}), std::invalid_argument);
  EXPECT_NO_THROW(Informer(*client, cms, std::vector<std::string>{"a", "b"}));
  EXPECT_NO_THROW(Informer(*client, cms, std::vector<std::string>{}));  // all namespaces
  EXPECT_NO_THROW(Informer(*client, cms, std::string()));
}

TEST(StoreTest, SnapshotsSurviveConcurrentWrites) {
  Store s;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      s.upsert(ptr(obj("a", "o" + std::to_string(i % 50), std::to_string(i), R"({"k":"v"})")));
      if (i % 7 == 0) s.remove("a/o" + std::to_string(i % 50));
    }
    done = true;
  });
  size_t reads = 0;
  while (!done) {
    for (const auto& o : s.by_label("k", "v")) {
      ASSERT_FALSE(object_name(*o).empty());
      ++reads;
    }
  }
  writer.join();
  EXPECT_EQ(names(s.by_label("k", "v")).size(), s.size());
}

}  // namespace
}  // namespace sluice::kube

#include <gtest/gtest.h>

#include "kube/watch_event.h"

namespace sluice::kube {
namespace {

TEST(LineSplitterTest, JoinsLinesAcrossArbitraryChunks) {
  const std::string stream = "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}\n{\"d\"";
  // Every split point must give the same lines.
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    LineSplitter s;
    std::vector<std::string> lines;
    for (auto part : {stream.substr(0, cut), stream.substr(cut)}) {
      auto got = s.feed(part.data(), part.size());
      ASSERT_TRUE(got.ok());
      lines.insert(lines.end(), got->begin(), got->end());
    }
    EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"})) << cut;
    EXPECT_EQ(s.pending(), 4u);  // {"d" waits for its newline
  }
}

TEST(LineSplitterTest, ByteAtATime) {
  const std::string stream = "x\nyy\nzzz\n";
  LineSplitter s;
  std::vector<std::string> lines;
  for (char c : stream) {
    auto got = s.feed(&c, 1);
    ASSERT_TRUE(got.ok());
    lines.insert(lines.end(), got->begin(), got->end());
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"x", "yy", "zzz"}));
}

TEST(LineSplitterTest, OverlongLineIsAnError) {
  LineSplitter s(8);
  std::string big(20, 'x');
  auto got = s.feed(big.data(), big.size());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, ErrorKind::Decode);
}

struct EventCase {
  const char* name;
  std::string line;
  bool ok;
  WatchEventType type;
};

void PrintTo(const EventCase& c, std::ostream* os) { *os << c.name; }

class ParseWatchEventTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(ParseWatchEventTest, Parses) {
  const auto& c = GetParam();
  auto got = parse_watch_event(c.line);
  ASSERT_EQ(got.ok(), c.ok) << (got.ok() ? "" : got.error().to_string());
  if (c.ok) {
    EXPECT_EQ(got->type, c.type);
  } else {
    EXPECT_EQ(got.error().kind, ErrorKind::Decode);
  }
}

const std::string kObj = R"({"metadata":{"name":"a","namespace":"n","resourceVersion":"7"}})";

INSTANTIATE_TEST_SUITE_P(
    Events, ParseWatchEventTest,
    ::testing::Values(
        EventCase{"Added", R"({"type":"ADDED","object":)" + kObj + "}", true, WatchEventType::Added},
        EventCase{"Modified", R"({"type":"MODIFIED","object":)" + kObj + "}", true, WatchEventType::Modified},
        EventCase{"Deleted", R"({"type":"DELETED","object":)" + kObj + "}", true, WatchEventType::Deleted},
        EventCase{"Bookmark", R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})", true,
                  WatchEventType::Bookmark},
        EventCase{"Error", R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}})",
                  true, WatchEventType::Error},
        EventCase{"NotJson", "{\"type\":", false, WatchEventType::Added},
        EventCase{"NotObject", "[1,2]", false, WatchEventType::Added},
        EventCase{"NoType", R"({"object":{}})", false, WatchEventType::Added},
        EventCase{"UnknownType", R"({"type":"RENAMED","object":)" + kObj + "}", false, WatchEventType::Added},
        EventCase{"ObjectNotObject", R"({"type":"ADDED","object":"x"})", false, WatchEventType::Added},
        EventCase{"AddedWithoutName", R"({"type":"ADDED","object":{"metadata":{}}})", false,
                  WatchEventType::Added}),
    [](const ::testing::TestParamInfo<EventCase>& info) { return info.param.name; });

TEST(ObjectMetaTest, Accessors) {
  auto obj = web::json::value::parse(R"({"metadata":{"name":"a","namespace":"n","resourceVersion":"7","uid":"u1"}})");
  EXPECT_EQ(object_key(obj), "n/a");
  EXPECT_EQ(object_resource_version(obj), "7");
  EXPECT_EQ(object_uid(obj), "u1");
  auto cluster = web::json::value::parse(R"({"metadata":{"name":"node1"}})");
  EXPECT_EQ(object_key(cluster), "node1");
  EXPECT_EQ(object_key(web::json::value::string("junk")), "");
}

}  // namespace
}  // namespace sluice::kube

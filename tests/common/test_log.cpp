#include "common/log.h"

#include <gtest/gtest.h>

namespace sluice::log {
namespace {

TEST(Log, FormatsOneJsonObjectWithFields) {
  EXPECT_EQ(formatLine(Level::Info, "2026-01-02T03:04:05.006Z", "step started",
                       {{"execution", "ns/run-1"}, {"step", "Train"}}),
            R"({"ts":"2026-01-02T03:04:05.006Z","level":"info","msg":"step started","execution":"ns/run-1","step":"Train"})");
}

TEST(Log, EscapesQuotesControlCharactersAndNewlines) {
  struct Row {
    std::string in, want;
  };
  for (const Row& r : std::vector<Row>{{"plain", "\"plain\""},
                                       {"a\"b", "\"a\\\"b\""},
                                       {"back\\slash", "\"back\\\\slash\""},
                                       {"two\nlines", "\"two\\nlines\""},
                                       {std::string("bell\x07", 5), "\"bell\\u0007\""}}) {
    EXPECT_EQ(jsonQuote(r.in), r.want) << r.in;
  }
}

TEST(Log, ParsesLevelsAndRejectsUnknown) {
  Level l = Level::Info;
  EXPECT_TRUE(parseLevel("debug", l));
  EXPECT_EQ(l, Level::Debug);
  EXPECT_TRUE(parseLevel("warn", l));
  EXPECT_EQ(l, Level::Warn);
  EXPECT_TRUE(parseLevel("error", l));
  EXPECT_EQ(l, Level::Error);
  EXPECT_FALSE(parseLevel("verbose", l));
  EXPECT_EQ(l, Level::Error) << "a failed parse leaves the level alone";
}

}  // namespace
}  // namespace sluice::log

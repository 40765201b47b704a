#include <gtest/gtest.h>

#include "duration.h"

namespace sluice::pipeline {
namespace {

struct Case {
  std::string text;
  int64_t seconds;      // when error is empty
  std::string error;    // substring of the expected message
};

void expectCases(DurationResult (*parse)(std::string_view), const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    DurationResult got = parse(c.text);
    if (c.error.empty()) {
      ASSERT_TRUE(std::holds_alternative<int64_t>(got)) << c.text << ": " << std::get<std::string>(got);
      EXPECT_EQ(std::get<int64_t>(got), c.seconds) << c.text;
    } else {
      ASSERT_TRUE(std::holds_alternative<std::string>(got)) << c.text << " parsed as " << std::get<int64_t>(got);
      EXPECT_NE(std::get<std::string>(got).find(c.error), std::string::npos)
          << c.text << ": " << std::get<std::string>(got);
    }
  }
}

TEST(Duration, Iso8601) {
  expectCases(parseIsoDuration, {
                                    {"P30D", 30 * 86400, ""},
                                    {"PT12H", 12 * 3600, ""},
                                    {"P1DT2H", 86400 + 7200, ""},
                                    {"P2W", 14 * 86400, ""},
                                    {"PT90S", 90, ""},
                                    {"PT1H30M15S", 5415, ""},
                                    {"P0D", 0, ""},
                                    {"", 0, "empty duration"},
                                    {"30D", 0, "must start with \"P\""},
                                    {"P", 0, "no duration after \"P\""},
                                    {"PT", 0, "must be followed by"},
                                    {"P1Y", 0, "years and months are not supported"},
                                    {"P1M", 0, "years and months are not supported"},
                                    {"P1H", 0, "unknown unit \"H\""},
                                    {"PT1D", 0, "unknown unit \"D\" after T"},
                                    {"P1DT2H3H", 0, "out of order or repeated"},
                                    {"PT1M2H", 0, "out of order or repeated"},
                                    {"P1.5D", 0, "fractions are not supported"},
                                    {"P30", 0, "has no unit"},
                                    {"PD", 0, "expected a number at position 1"},
                                    {"P1DT", 0, "must be followed by"},
                                    {"P99999999999D", 0, "too long"},
                                    {"P9999999999999D", 0, "number too large"},
                                    {"p30d", 0, "must start with \"P\""},
                                });
}

TEST(Duration, GoStyle) {
  expectCases(parseGoDuration, {
                                   {"2h", 7200, ""},
                                   {"30m", 1800, ""},
                                   {"90s", 90, ""},
                                   {"1h30m", 5400, ""},
                                   {"1h30m15s", 5415, ""},
                                   {"1.5h", 5400, ""},
                                   {"500ms", 1, ""},  // rounded up, never to 0
                                   {"0", 0, ""},
                                   {"0s", 0, ""},
                                   {"", 0, "empty duration"},
                                   {"-1h", 0, "must not have a sign"},
                                   {"10", 0, "missing unit"},
                                   {"2d", 0, "unknown unit \"d\""},
                                   {"2 h", 0, "unknown unit \" h\""},
                                   {"h", 0, "expected a number at position 0"},
                                   {"1..5h", 0, "invalid number"},
                                   {".h", 0, "invalid number"},
                                   {"1000000000h", 0, "too long"},
                                   {"PT2H", 0, "expected a number"},
                               });
}

}  // namespace
}  // namespace sluice::pipeline

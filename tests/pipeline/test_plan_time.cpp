// Time parsing for the planner: RFC 3339, ISO-8601 and Go durations.
#include <gtest/gtest.h>

#include "plan_time.h"

namespace sluice::pipeline {
namespace {

TEST(PlanTime, Rfc3339RoundTripAndOffsets) {
  struct Row {
    const char* text;
    std::optional<UnixSeconds> expected;
  };
  const std::vector<Row> rows = {
      {"1970-01-01T00:00:00Z", 0},
      {"2026-11-26T22:52:40Z", 1795733560},
      {"2026-11-26T22:52:40.123456Z", 1795733560},
      {"2026-11-26T23:52:40+01:00", 1795733560},
      {"2026-11-26t22:52:40z", 1795733560},
      {"2000-02-29T00:00:00Z", 951782400},
      {"2026-11-26 22:52:40Z", std::nullopt},
      {"2026-13-01T00:00:00Z", std::nullopt},
      {"2026-11-26T22:52:40", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& row : rows) EXPECT_EQ(parseRfc3339(row.text), row.expected) << row.text;
  EXPECT_EQ(formatRfc3339(1795733560), "2026-11-26T22:52:40Z");
  EXPECT_EQ(parseRfc3339(formatRfc3339(951782400)), 951782400);
}

TEST(PlanTime, IsoDurations) {
  struct Row {
    const char* text;
    std::optional<int64_t> seconds;
  };
  const std::vector<Row> rows = {
      {"P30D", 30 * 86400}, {"PT12H", 12 * 3600}, {"P1DT2H30M", 86400 + 2 * 3600 + 30 * 60},
      {"P2W", 14 * 86400},  {"PT90S", 90},        {"P1Y", 365 * 86400},
      {"P1M", 30 * 86400},  {"P", std::nullopt},  {"PT", std::nullopt},
      {"30D", std::nullopt}, {"P1H", std::nullopt}, {"PT1D", std::nullopt},
      {"P1.5D", std::nullopt}, {"P9999999999D", std::nullopt}, {"", std::nullopt},
  };
  for (const auto& row : rows) EXPECT_EQ(parseIsoDurationSeconds(row.text), row.seconds) << row.text;
}

TEST(PlanTime, GoDurations) {
  struct Row {
    const char* text;
    std::optional<int64_t> seconds;
  };
  const std::vector<Row> rows = {
      {"2h", 7200},  {"30m", 1800},          {"90s", 90},           {"1h30m", 5400},
      {"1.5h", 5400}, {"500ms", 1},          {"1500ms", 2},         {"0s", std::nullopt},
      {"2", std::nullopt}, {"2d", std::nullopt}, {"h", std::nullopt}, {"", std::nullopt},
      {"1..5h", std::nullopt},
  };
  for (const auto& row : rows) EXPECT_EQ(parseGoDurationSeconds(row.text), row.seconds) << row.text;
}

}  // namespace
}  // namespace sluice::pipeline

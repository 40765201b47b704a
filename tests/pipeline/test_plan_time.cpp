// RFC 3339 timestamps for the planner.
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

}  // namespace
}  // namespace sluice::pipeline

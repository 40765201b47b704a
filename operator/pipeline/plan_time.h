// Time values the planner needs, as plain integers so the planner stays a
// pure function of an injected "now": RFC 3339 timestamps, ISO-8601
// durations (cache.expireAfter) and Go-style durations (step timeout).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::pipeline {

// Seconds since the Unix epoch, UTC.
using UnixSeconds = int64_t;

// "2026-11-26T22:52:40Z" (UTC, second precision, as Kubernetes writes it).
std::string formatRfc3339(UnixSeconds t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"; nullopt when malformed.
std::optional<UnixSeconds> parseRfc3339(const std::string& text);

// ISO-8601 duration: "P30D", "PT12H", "P1DT2H30M", "P2W", "PT90S".
// Years count 365 days and months 30 days. nullopt when malformed or empty.
std::optional<int64_t> parseIsoDurationSeconds(const std::string& text);

// Go-style duration: "2h", "30m", "90s", "1h30m", "1.5h", "500ms".
// Returns whole seconds rounded up (activeDeadlineSeconds must be >= 1).
std::optional<int64_t> parseGoDurationSeconds(const std::string& text);

}  // namespace sluice::pipeline

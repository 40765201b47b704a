// Timestamps for the planner, as plain integers so it stays a pure function
// of an injected "now" (durations: duration.h).
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

}  // namespace sluice::pipeline

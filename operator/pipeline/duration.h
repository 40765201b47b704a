// Durations as written in pipelines, to whole seconds. Pure, no I/O.
//   ISO-8601 (cache.expireAfter): P30D, PT12H, P1DT2H, P2W, PT90S.
//     Years and months are rejected: their length is ambiguous.
//   Go-style (timeout): 2h, 30m, 90s, 1h30m, 1.5h, 500ms.
//     Fractions of a second round up, so a positive timeout never becomes 0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace sluice::pipeline {

// Seconds, or a message saying what is wrong ("unknown unit \"d\" ...").
using DurationResult = std::variant<int64_t, std::string>;

DurationResult parseIsoDuration(std::string_view text);
DurationResult parseGoDuration(std::string_view text);

}  // namespace sluice::pipeline

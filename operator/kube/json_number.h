// Whole numbers out of JSON the server or a user sent. cpprestsdk converts
// any number to an integer type on request, and converting a double outside
// the type's range (1e300, 3e9 for an int32) is undefined behaviour; these
// say "not a whole number in range" instead.
#pragma once

#include <cpprest/json.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace sluice::kube {

// The number as an integer in [lo, hi], or nullopt when it is not a whole
// number in that range (1.5, 1e300, 3e9 for an int32).
inline std::optional<std::int64_t> integerIn(const web::json::number& n, std::int64_t lo, std::int64_t hi) {
  if (n.is_int64()) {
    const std::int64_t i = n.to_int64();
    if (i < lo || i > hi) return std::nullopt;
    return i;
  }
  if (n.is_integral()) return std::nullopt;  // an unsigned value above INT64_MAX
  const double d = n.to_double();
  // Both bounds are powers of two, exactly representable as doubles.
  constexpr double kMin = -9223372036854775808.0;  // -2^63
  constexpr double kEnd = 9223372036854775808.0;   // 2^63
  if (!std::isfinite(d) || d != std::trunc(d) || d < kMin || d >= kEnd) return std::nullopt;
  const auto i = static_cast<std::int64_t>(d);
  if (i < lo || i > hi) return std::nullopt;
  return i;
}

// The value as an int64 / int32, or nullopt when it is not a number or not a
// whole number in range.
inline std::optional<std::int64_t> asInt64(const web::json::value& v) {
  if (!v.is_number()) return std::nullopt;
  return integerIn(v.as_number(), std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
}
inline std::optional<std::int32_t> asInt32(const web::json::value& v) {
  if (!v.is_number()) return std::nullopt;
  auto i = integerIn(v.as_number(), std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max());
  if (!i) return std::nullopt;
  return static_cast<std::int32_t>(*i);
}

}  // namespace sluice::kube

#include "duration.h"

#include <cmath>

namespace sluice::pipeline {
namespace {

// Durations beyond 100 years are certainly mistakes and would overflow
// quickly once multiplied; rejecting them keeps the arithmetic exact.
constexpr int64_t kMaxSeconds = 100LL * 366 * 24 * 3600;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

DurationResult parseIsoDuration(std::string_view text) {
  if (text.empty()) return std::string("empty duration");
  if (text[0] != 'P') return "must start with \"P\" (ISO-8601, e.g. P30D or PT12H)";
  size_t i = 1;
  bool inTime = false, any = false;
  int64_t total = 0;
  std::string_view order = "WD";  // allowed designators, in order, for the date part
  size_t nextAllowed = 0;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (inTime) return std::string("\"T\" appears twice");
      inTime = true;
      order = "HMS";
      nextAllowed = 0;
      ++i;
      if (i == text.size()) return std::string("\"T\" must be followed by hours, minutes or seconds");
      continue;
    }
    size_t start = i;
    while (i < text.size() && isDigit(text[i])) ++i;
    if (i == start) return "expected a number at position " + std::to_string(i);
    if (i - start > 12) return std::string("number too large");
    if (i == text.size()) return "number at position " + std::to_string(start) + " has no unit";
    int64_t n = std::stoll(std::string(text.substr(start, i - start)));
    char unit = text[i];
    if (unit == '.' || unit == ',') return std::string("fractions are not supported; use a smaller unit");
    if (!inTime && (unit == 'Y' || unit == 'M'))
      return std::string("years and months are not supported (their length varies); use days, e.g. P30D");
    size_t pos = order.find(unit);
    if (pos == std::string_view::npos)
      return "unknown unit " + quote(std::string_view(&text[i], 1)) + (inTime ? " after T (use H, M, S)" : " (use W, D, or T for time)");
    if (pos < nextAllowed) return "unit " + quote(std::string_view(&text[i], 1)) + " is out of order or repeated";
    nextAllowed = pos + 1;
    int64_t unitSeconds = 0;
    switch (unit) {
      case 'W': unitSeconds = 7 * 86400; break;
      case 'D': unitSeconds = 86400; break;
      case 'H': unitSeconds = 3600; break;
      case 'M': unitSeconds = 60; break;
      default: unitSeconds = 1; break;
    }
    if (n > kMaxSeconds / unitSeconds) return std::string("duration too long (more than 100 years)");
    total += n * unitSeconds;
    if (total > kMaxSeconds) return std::string("duration too long (more than 100 years)");
    any = true;
    ++i;
  }
  if (!any) return std::string("no duration after \"P\" (e.g. P30D)");
  return total;
}

DurationResult parseGoDuration(std::string_view text) {
  if (text.empty()) return std::string("empty duration");
  if (text[0] == '-' || text[0] == '+') return std::string("must not have a sign");
  if (text == "0") return int64_t{0};
  // Accumulate in milliseconds-as-double per component, then round up; the
  // 100-year cap keeps every intermediate value exact in a double.
  double totalSeconds = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (isDigit(text[i]) || text[i] == '.')) ++i;
    std::string_view number = text.substr(start, i - start);
    if (number.empty()) return "expected a number at position " + std::to_string(start);
    if (number.size() > 15 || number.find('.') != number.rfind('.') || number == ".")
      return "invalid number " + quote(number);
    size_t unitStart = i;
    while (i < text.size() && !isDigit(text[i]) && text[i] != '.') ++i;
    std::string_view unit = text.substr(unitStart, i - unitStart);
    double scale = 0;
    if (unit == "h") {
      scale = 3600;
    } else if (unit == "m") {
      scale = 60;
    } else if (unit == "s") {
      scale = 1;
    } else if (unit == "ms") {
      scale = 0.001;
    } else if (unit.empty()) {
      return "missing unit after " + quote(number) + " (use h, m, s or ms)";
    } else {
      return "unknown unit " + quote(unit) + " (use h, m, s or ms)";
    }
    totalSeconds += std::stod(std::string(number)) * scale;
    if (totalSeconds > static_cast<double>(kMaxSeconds)) return std::string("duration too long (more than 100 years)");
  }
  return static_cast<int64_t>(std::ceil(totalSeconds - 1e-9));
}

}  // namespace sluice::pipeline

#include "plan_time.h"

#include <cctype>
#include <ctime>

namespace sluice::pipeline {

namespace {

// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm), so we
// need neither timegm nor the process time zone.
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool readDigits(const std::string& s, size_t& i, size_t n, int& out) {
  if (i + n > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = s[i + k];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  i += n;
  out = v;
  return true;
}

bool expect(const std::string& s, size_t& i, char c) {
  if (i < s.size() && (s[i] == c || std::tolower(static_cast<unsigned char>(s[i])) == std::tolower(c))) {
    ++i;
    return true;
  }
  return false;
}

}  // namespace

std::string formatRfc3339(UnixSeconds t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<UnixSeconds> parseRfc3339(const std::string& s) {
  size_t i = 0;
  int Y, M, D, h, m, sec;
  if (!readDigits(s, i, 4, Y) || !expect(s, i, '-') || !readDigits(s, i, 2, M) || !expect(s, i, '-') ||
      !readDigits(s, i, 2, D) || !expect(s, i, 'T') || !readDigits(s, i, 2, h) || !expect(s, i, ':') ||
      !readDigits(s, i, 2, m) || !expect(s, i, ':') || !readDigits(s, i, 2, sec))
    return std::nullopt;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (expect(s, i, 'Z')) {
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int sign = s[i] == '+' ? 1 : -1;
    ++i;
    int oh, om;
    if (!readDigits(s, i, 2, oh) || !expect(s, i, ':') || !readDigits(s, i, 2, om)) return std::nullopt;
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return daysFromCivil(Y, static_cast<unsigned>(M), static_cast<unsigned>(D)) * 86400 + h * 3600 + m * 60 + sec -
         offset;
}

}  // namespace sluice::pipeline

#include "stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sluice::bench {

namespace {
// Nearest rank: the smallest value with at least q of the sample at or below it.
double rank(const std::vector<double>& sorted, double q) {
  size_t k = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  if (k == 0) k = 1;
  return sorted[std::min(k, sorted.size()) - 1];
}
}  // namespace

Summary summarize(std::vector<double> samples) {
  Summary s;
  s.count = samples.size();
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.min = samples.front();
  s.max = samples.back();
  s.p25 = rank(samples, 0.25);
  s.median = rank(samples, 0.50);
  s.p75 = rank(samples, 0.75);
  s.p99 = rank(samples, 0.99);
  return s;
}

std::string format(const Summary& s) {
  if (s.count == 0) return "n=0 (no samples)";
  char buf[256];
  std::snprintf(buf, sizeof buf, "n=%zu median %.2f ms  p99 %.2f ms  min %.2f  IQR %.2f-%.2f  max %.2f ms", s.count,
                s.median, s.p99, s.min, s.p25, s.p75, s.max);
  return buf;
}

}  // namespace sluice::bench

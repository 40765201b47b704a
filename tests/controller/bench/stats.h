// Order statistics of a latency sample, in milliseconds. Percentiles are
// nearest-rank on the sorted sample, so every figure is a value that was
// really measured.
#pragma once

#include <string>
#include <vector>

namespace sluice::bench {

struct Summary {
  size_t count = 0;
  double min = 0, p25 = 0, median = 0, p75 = 0, p99 = 0, max = 0;
};

Summary summarize(std::vector<double> samples);

// "n=200 median 1.23 ms p99 4.56 ms min 0.90 IQR 1.10-1.40 max 7.80 ms"
std::string format(const Summary& s);

}  // namespace sluice::bench

// CPU time and peak memory of a live process, from /proc (Linux only).
#pragma once

#include <string>

namespace sluice::bench {

struct ProcUsage {
  bool ok = false;
  double user_seconds = 0;
  double system_seconds = 0;
  long peak_rss_kib = 0;  // VmHWM
  long rss_kib = 0;       // VmRSS
  std::string error;
};

ProcUsage readProcUsage(int pid);

}  // namespace sluice::bench

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

// CPU seconds so far of the test control plane's API server and etcd (their
// pid files under $SLUICE_TESTENV_RUN, as tests/cluster/up.sh writes them)
// and of this process; -1 where unreadable.
struct ClusterCpu {
  double apiserver = -1, etcd = -1, bench = -1;
};
ClusterCpu readClusterCpu();

}  // namespace sluice::bench

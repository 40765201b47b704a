#include "proc_usage.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace sluice::bench {

ProcUsage readProcUsage(int pid) {
  ProcUsage u;
  const std::string dir = "/proc/" + std::to_string(pid);
  std::ifstream stat(dir + "/stat");
  std::string line;
  if (!std::getline(stat, line)) {
    u.error = "cannot read " + dir + "/stat";
    return u;
  }
  // The command name (field 2) may hold spaces: fields resume after the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) {
    u.error = "unexpected " + dir + "/stat";
    return u;
  }
  std::istringstream rest(line.substr(close + 2));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string s; rest >> s;) f.push_back(s);
  if (f.size() < 13) {
    u.error = "short " + dir + "/stat";
    return u;
  }
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  u.user_seconds = std::stod(f[11]) / tick;    // field 14 utime
  u.system_seconds = std::stod(f[12]) / tick;  // field 15 stime

  std::ifstream status(dir + "/status");
  while (std::getline(status, line)) {
    std::istringstream in(line);
    std::string key;
    long kib = 0;
    in >> key >> kib;
    if (key == "VmHWM:") u.peak_rss_kib = kib;
    if (key == "VmRSS:") u.rss_kib = kib;
  }
  u.ok = true;
  return u;
}

namespace {

double cpuSecondsOfPidFile(const std::string& path) {
  std::ifstream in(path);
  int pid = 0;
  if (!(in >> pid) || pid <= 0) return -1;
  const ProcUsage u = readProcUsage(pid);
  return u.ok ? u.user_seconds + u.system_seconds : -1;
}

std::string runDir() {
  const char* run = std::getenv("SLUICE_TESTENV_RUN");
  return run && *run ? run : "/tmp/sluice-testenv";
}

}  // namespace

ClusterCpu readClusterCpu() {
  ClusterCpu c;
  const std::string run = runDir();
  c.apiserver = cpuSecondsOfPidFile(run + "/pids/kube-apiserver.pid");
  c.etcd = cpuSecondsOfPidFile(run + "/pids/etcd.pid");
  const ProcUsage self = readProcUsage(static_cast<int>(getpid()));
  if (self.ok) c.bench = self.user_seconds + self.system_seconds;
  return c;
}

}  // namespace sluice::bench

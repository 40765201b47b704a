// Child processes for integration tests: spawned with posix_spawn (argv,
// never a shell), output to a log file, stopped by signal.
#pragma once

#include <string>
#include <vector>

namespace sluice::testing {

class Process {
 public:
  // Starts argv[0] with argv; stdout+stderr appended to logPath.
  Process(const std::vector<std::string>& argv, const std::string& logPath);
  ~Process();  // SIGKILLs a child still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  int pid() const { return pid_; }
  void signal(int sig);
  // Waits up to timeoutMs for exit; returns the exit code, 128+signal when
  // killed by a signal, or -1 on timeout.
  int wait(int timeoutMs);
  bool running();

 private:
  int pid_ = -1;
  int status_ = -1;
  bool reaped_ = false;
};

// Runs a command to completion; returns exit code, output in *output.
int runCommand(const std::vector<std::string>& argv, std::string* output = nullptr);

}  // namespace sluice::testing

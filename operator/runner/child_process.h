// Runs the step's command: fork + execvp (PATH search, never a shell).
// While it runs, SIGTERM and SIGINT sent to this process are forwarded to
// the child (the kubelet signals PID 1, which is sluice-runner), and other
// exited processes are reaped, as PID 1 must.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::runner {

struct ChildResult {
  int exitCode = 0;   // the exit status, or 128 + signal when killed
  int signal = 0;     // the terminating signal, 0 when it exited
};

class SpawnError : public std::runtime_error {
 public:
  SpawnError(const std::string& what, int err) : std::runtime_error(what), errnum(err) {}
  int errnum;  // errno of the failed execvp (ENOENT: command not found)
};

// Blocks until the command ends. Throws SpawnError when it cannot start.
ChildResult runCommand(const std::vector<std::string>& argv);

}  // namespace sluice::runner

// Runs the step's command: fork + execvp (PATH search, never a shell).
// While it runs, SIGTERM and SIGINT sent to this process are forwarded to
// the child (the kubelet signals PID 1, which is sluice-runner), and other
// exited processes are reaped, as PID 1 must. With an OutputTail, the
// command's stdout and stderr go through pipes: each is copied to this
// process's own (so the container log is unchanged) and into the tail.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "output_tail.h"

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

// Blocks until the command ends (output a background process of the
// command still writes after that is not waited for). Throws SpawnError
// when it cannot start.
ChildResult runCommand(const std::vector<std::string>& argv, OutputTail* tail = nullptr);

}  // namespace sluice::runner

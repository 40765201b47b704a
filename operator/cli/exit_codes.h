// Exit codes of kubectl-sluice, documented in README.md ("Exit codes") and
// in `kubectl sluice --help`. Scripts branch on them, so they never change
// meaning.
#pragma once

namespace sluice::cli {

inline constexpr int kExitOk = 0;          // done; `wait`, `--wait`, `--watch`: the execution Succeeded
inline constexpr int kExitFailed = 1;      // `wait`/`--wait`: Failed; `plan`/`start`: the planner refuses the run
inline constexpr int kExitStopped = 2;     // `wait`/`--wait`: Stopped
inline constexpr int kExitTimeout = 3;     // `wait --timeout` (or `--wait --timeout`) ran out
inline constexpr int kExitUsage = 4;       // bad command line: unknown command/flag, missing argument, bad value
inline constexpr int kExitCluster = 5;     // the cluster said no or did not answer: unreachable, not found,
                                           // forbidden, bad kubeconfig

}  // namespace sluice::cli

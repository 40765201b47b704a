// kubectl-sluice from argv to exit code: parse, find the cluster, run the
// command. The mains are thin wrappers, so tests run the whole CLI in-process.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/kubeconfig.h"

namespace sluice::cli {

// argv without the program name. Never throws on user or server input.
int runCli(const std::vector<std::string>& argv, const Environment& env, std::ostream& out, std::ostream& err,
           bool outIsTerminal = false);

// kubectl's plugin completion protocol: candidates for the words, one per
// line, then ":4" (cobra's "no file completion" directive).
int runCompletion(const std::vector<std::string>& words, const Environment& env, std::ostream& out);

}  // namespace sluice::cli

// What every command gets: its parsed arguments, the API (one namespace),
// where to print, and injected time so tests need no real waits.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include <ostream>

#include "cli/cli_args.h"
#include "cli/sluice_api.h"
#include "pipeline/plan_time.h"

namespace sluice::cli {

struct CommandContext {
  const CliArgs& args;
  SluiceApi& api;
  std::ostream& out;
  std::ostream& err;
  std::function<pipeline::UnixSeconds()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  bool outIsTerminal = false;  // get --watch clears the screen only on a terminal
};

// Each returns the process exit code (exit_codes.h).
int listCommand(CommandContext& c);
int getCommand(CommandContext& c);
int paramsCommand(CommandContext& c);
int runCommand(CommandContext& c);  // start, rerun, plan
int stopCommand(CommandContext& c);
int waitCommand(CommandContext& c);
int logsCommand(CommandContext& c);
int dagCommand(CommandContext& c);
int diffCommand(CommandContext& c);

// "execution 'NAME' in namespace 'NS'", for messages.
std::string executionWhat(CommandContext& c, const std::string& name);
// Pod names per step of an execution (get -o wide); empty when they cannot be listed.
std::map<std::string, std::vector<std::string>> podsByStep(CommandContext& c, const std::string& execution);

// Prints the cluster error for what was looked up; returns kExitCluster.
int reportClusterError(CommandContext& c, const kube::Error& e, const std::string& what);

// Polls the execution until it is terminal or the deadline passes;
// returns kExitOk / kExitFailed / kExitStopped / kExitTimeout, or
// kExitCluster. onChange (may be empty) sees each new version.
// get --watch / start --watch: redraws the step tree on every change until
// the execution ends; returns what waitForEnd returns.
int watchExecution(CommandContext& c, const std::string& name, std::optional<long> timeoutSeconds);

int waitForEnd(CommandContext& c, const std::string& name, std::optional<long> timeoutSeconds,
               const std::function<void(const web::json::value&)>& onChange);

}  // namespace sluice::cli

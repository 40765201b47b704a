// The command line of kubectl-sluice, parsed into plain data. Pure: no I/O,
// so every flag and every bad value is unit-tested.
//
// Flags follow kubectl: `--name value`, `--name=value`, `-n value`, bare
// booleans; global flags (-n, -A, --kubeconfig, --context, -o) may appear
// anywhere. A flag a command does not take is an error naming both.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/model.h"

namespace sluice::cli {

enum class OutputFormat { Table, Wide, Json, Yaml, Name, Dot };

struct GlobalFlags {
  std::string kubeconfig;  // --kubeconfig: exactly this file
  std::string context;     // --context
  std::string namespace_;  // -n/--namespace; empty: the context's namespace
  bool allNamespaces = false;  // -A/--all-namespaces (list only)
  OutputFormat output = OutputFormat::Table;
  bool outputGiven = false;
};

// What `start`, `rerun` and `plan` ask for; the planner judges it.
struct RunRequest {
  std::string pipeline;                       // start/plan: PIPELINE; rerun: from the source
  std::vector<pipeline::ParameterValue> parameters;  // -p K=V, in order given
  std::optional<std::string> from;            // --from EXECUTION (or rerun's EXECUTION)
  std::vector<std::string> steps;             // --steps A,B
  std::vector<std::string> fromSteps;         // --from-steps X,Y
  bool fromFailure = false;                   // --from-failure
  bool allowStaleReuse = false;               // --allow-stale-reuse
  std::optional<std::string> paramsFrom;      // --params-from EXECUTION
  std::optional<int> maxParallelSteps;        // --max-parallel N
  bool selective() const { return from || !steps.empty() || !fromSteps.empty() || fromFailure; }
};

struct CliArgs {
  std::string command;                 // "" with --help alone
  std::vector<std::string> positional;  // after the command
  GlobalFlags global;
  RunRequest run;
  bool dryRun = false;   // start --dry-run
  bool wait = false;     // start/rerun --wait
  bool watch = false;    // get/start/rerun --watch (-w)
  bool last = false;     // --last: the newest execution where one is expected
  std::string status;    // list --status PHASE
  std::string selector;  // list -l
  bool follow = false;   // logs -f
  bool failedOnly = false;  // logs --failed
  std::optional<long> timeoutSeconds;  // wait/--wait --timeout 10m
  // ui: where to serve the web view (loopback only) and whether to open it.
  std::string uiAddress = "127.0.0.1";
  int uiPort = 0;  // 0: a free port
  bool uiOpen = false;
  bool help = false;
};

struct ParseOutcome {
  CliArgs args;
  std::string error;  // empty when ok; names the flag/argument and the problem
};

ParseOutcome parseArgs(const std::vector<std::string>& argv);

// Every command name, in the order `--help` lists them.
const std::vector<std::string>& commandNames();
// The flags a command accepts ("--steps", "-p", ...), globals included; for
// completion.
std::vector<std::string> flagsOf(const std::string& command);

// "-p XGBETA=0.3" -> {XGBETA, 0.3}; error text when there is no '=' or no name.
std::optional<pipeline::ParameterValue> parseParameterAssignment(const std::string& text, std::string& error);

std::string usage();

}  // namespace sluice::cli

#include "cli/cli_args.h"

#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>

#include "pipeline/duration.h"

namespace sluice::cli {

namespace {

using Setter = std::function<std::string(CliArgs&, const std::string&)>;  // "" or an error

struct FlagDef {
  const char* name;       // "--steps"
  const char* shortName;  // "-p" or nullptr
  bool takesValue;
  std::vector<std::string> commands;  // empty: every command (a global flag)
  Setter set;
};

const std::vector<std::string> kRunCommands = {"start", "rerun", "plan"};

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + ",") {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  return out;
}

// --steps A,B: no empty names (a trailing comma is a typo, not "no step").
std::string setList(std::vector<std::string>& into, const std::string& flag, const std::string& v) {
  for (const auto& s : splitList(v)) {
    if (s.empty()) return flag + ": empty step name in '" + v + "'";
    into.push_back(s);
  }
  return "";
}

std::string setOutput(CliArgs& a, const std::string& v) {
  static const std::map<std::string, OutputFormat> formats = {
      {"table", OutputFormat::Table}, {"wide", OutputFormat::Wide}, {"json", OutputFormat::Json},
      {"yaml", OutputFormat::Yaml},   {"name", OutputFormat::Name}, {"dot", OutputFormat::Dot}};
  auto it = formats.find(v);
  if (it == formats.end()) return "-o/--output: unknown format '" + v + "' (table, wide, json, yaml, name, dot)";
  a.global.output = it->second;
  a.global.outputGiven = true;
  return "";
}

const std::vector<FlagDef>& flagTable() {
  static const std::vector<FlagDef> table = {
      {"--namespace", "-n", true, {}, [](CliArgs& a, const std::string& v) {
         a.global.namespace_ = v;
         return v.empty() ? std::string("-n/--namespace: empty namespace") : std::string();
       }},
      {"--all-namespaces", "-A", false, {"list"}, [](CliArgs& a, const std::string&) {
         a.global.allNamespaces = true;
         return std::string();
       }},
      {"--kubeconfig", nullptr, true, {}, [](CliArgs& a, const std::string& v) {
         a.global.kubeconfig = v;
         return v.empty() ? std::string("--kubeconfig: empty path") : std::string();
       }},
      {"--context", nullptr, true, {}, [](CliArgs& a, const std::string& v) {
         a.global.context = v;
         return std::string();
       }},
      {"--output", "-o", true, {}, setOutput},
      {"--help", "-h", false, {}, [](CliArgs& a, const std::string&) {
         a.help = true;
         return std::string();
       }},
      {"--param", "-p", true, kRunCommands, [](CliArgs& a, const std::string& v) {
         std::string err;
         auto p = parseParameterAssignment(v, err);
         if (p) a.run.parameters.push_back(*p);
         return err;
       }},
      {"--from", nullptr, true, {"start", "plan"}, [](CliArgs& a, const std::string& v) {
         a.run.from = v;
         return v.empty() ? std::string("--from: empty execution name") : std::string();
       }},
      {"--steps", nullptr, true, kRunCommands,
       [](CliArgs& a, const std::string& v) { return setList(a.run.steps, "--steps", v); }},
      {"--from-steps", nullptr, true, kRunCommands,
       [](CliArgs& a, const std::string& v) { return setList(a.run.fromSteps, "--from-steps", v); }},
      {"--from-failure", nullptr, false, kRunCommands, [](CliArgs& a, const std::string&) {
         a.run.fromFailure = true;
         return std::string();
       }},
      {"--allow-stale-reuse", nullptr, false, kRunCommands, [](CliArgs& a, const std::string&) {
         a.run.allowStaleReuse = true;
         return std::string();
       }},
      {"--params-from", nullptr, true, kRunCommands, [](CliArgs& a, const std::string& v) {
         a.run.paramsFrom = v;
         return v.empty() ? std::string("--params-from: empty execution name") : std::string();
       }},
      {"--max-parallel", nullptr, true, kRunCommands, [](CliArgs& a, const std::string& v) {
         try {
           size_t used = 0;
           int n = std::stoi(v, &used);
           if (used != v.size() || n < 1) throw std::invalid_argument(v);
           a.run.maxParallelSteps = n;
           return std::string();
         } catch (const std::exception&) {
           return "--max-parallel: '" + v + "' is not a whole number >= 1";
         }
       }},
      {"--dry-run", nullptr, false, {"start", "rerun"}, [](CliArgs& a, const std::string&) {
         a.dryRun = true;
         return std::string();
       }},
      {"--wait", nullptr, false, {"start", "rerun"}, [](CliArgs& a, const std::string&) {
         a.wait = true;
         return std::string();
       }},
      {"--watch", "-w", false, {"start", "rerun", "get"}, [](CliArgs& a, const std::string&) {
         a.watch = true;
         return std::string();
       }},
      {"--timeout", nullptr, true, {"wait", "start", "rerun"}, [](CliArgs& a, const std::string& v) {
         auto d = pipeline::parseGoDuration(v);
         if (auto* e = std::get_if<std::string>(&d)) return "--timeout: " + *e;
         if (std::get<int64_t>(d) <= 0) return "--timeout: must be positive, got '" + v + "'";
         a.timeoutSeconds = static_cast<long>(std::get<int64_t>(d));
         return std::string();
       }},
      {"--last", nullptr, false, {"get", "params", "rerun", "stop", "logs", "wait"},
       [](CliArgs& a, const std::string&) {
         a.last = true;
         return std::string();
       }},
      {"--status", nullptr, true, {"list"}, [](CliArgs& a, const std::string& v) {
         if (!pipeline::executionPhaseFromString(v))
           return "--status: unknown phase '" + v + "' (Pending, Executing, Stopping, Stopped, Failed, Succeeded)";
         a.status = v;
         return std::string();
       }},
      {"--selector", "-l", true, {"list"}, [](CliArgs& a, const std::string& v) {
         a.selector = v;
         return std::string();
       }},
      {"--follow", "-f", false, {"logs"}, [](CliArgs& a, const std::string&) {
         a.follow = true;
         return std::string();
       }},
      {"--failed", nullptr, false, {"logs"}, [](CliArgs& a, const std::string&) {
         a.failedOnly = true;
         return std::string();
       }},
      {"--port", nullptr, true, {"ui"}, [](CliArgs& a, const std::string& v) {
         try {
           size_t used = 0;
           int n = std::stoi(v, &used);
           if (used != v.size() || n < 0 || n > 65535) throw std::invalid_argument(v);
           a.uiPort = n;
           return std::string();
         } catch (const std::exception&) {
           return "--port: '" + v + "' is not a port number (0-65535; 0 picks a free one)";
         }
       }},
      {"--address", nullptr, true, {"ui"}, [](CliArgs& a, const std::string& v) {
         a.uiAddress = v;
         return v.empty() ? std::string("--address: empty") : std::string();
       }},
      {"--open", nullptr, false, {"ui"}, [](CliArgs& a, const std::string&) {
         a.uiOpen = true;
         return std::string();
       }},
  };
  return table;
}

const FlagDef* findFlag(const std::string& name) {
  for (const auto& f : flagTable())
    if (name == f.name || (f.shortName && name == f.shortName)) return &f;
  return nullptr;
}

bool allowedIn(const FlagDef& f, const std::string& command) {
  return f.commands.empty() || std::find(f.commands.begin(), f.commands.end(), command) != f.commands.end();
}

// Positional arguments per command: {min, max}, counted after --last has
// supplied "@latest" for the execution.
struct Arity {
  size_t min, max;
  const char* shape;
};

const std::map<std::string, Arity>& arities() {
  static const std::map<std::string, Arity> a = {
      {"list", {0, 1, "list [PIPELINE]"}},
      {"get", {1, 1, "get EXECUTION"}},
      {"params", {1, 1, "params EXECUTION"}},
      {"start", {1, 1, "start PIPELINE"}},
      {"rerun", {1, 1, "rerun EXECUTION"}},
      {"plan", {1, 1, "plan PIPELINE"}},
      {"stop", {1, 1, "stop EXECUTION"}},
      {"logs", {1, 2, "logs EXECUTION [STEP]"}},
      {"wait", {1, 1, "wait EXECUTION"}},
      {"dag", {1, 1, "dag PIPELINE"}},
      {"diff", {2, 2, "diff EXECUTION_A EXECUTION_B"}},
      {"completion", {1, 1, "completion bash|zsh"}},
      {"ui", {0, 0, "ui [--port N] [--open]"}},
  };
  return a;
}

std::string checkCombination(const CliArgs& a) {
  const RunRequest& r = a.run;
  const int forms = (!r.steps.empty()) + (!r.fromSteps.empty()) + (r.fromFailure ? 1 : 0);
  if (forms > 1) return "--steps, --from-steps and --from-failure exclude each other: give one";
  if (r.allowStaleReuse && !r.selective() && a.command != "rerun")
    return "--allow-stale-reuse only applies to a selective run (--from, --steps, --from-steps, --from-failure)";
  if (r.from && forms == 0 && a.command != "rerun")
    return "--from needs a selection: --steps A,B, --from-steps X or --from-failure";
  if (a.wait && a.watch) return "--wait and --watch exclude each other";
  if (a.dryRun && (a.wait || a.watch)) return "--dry-run creates nothing to --wait for or --watch";
  if (a.timeoutSeconds && (a.command == "start" || a.command == "rerun") && !a.wait && !a.watch)
    return "--timeout needs --wait or --watch";
  if (a.global.output == OutputFormat::Dot && a.command != "dag") return "-o dot is only for 'dag'";
  if (a.global.output == OutputFormat::Name &&
      !(a.command == "list" || a.command == "start" || a.command == "rerun" || a.command == "get"))
    return "-o name is only for list, get, start and rerun";
  if (a.global.outputGiven && a.global.output != OutputFormat::Table && a.global.output != OutputFormat::Dot &&
      (a.command == "diff" || a.command == "dag" || a.command == "logs" || a.command == "wait" ||
       a.command == "stop" || a.command == "completion" || a.command == "ui"))
    return "'" + a.command + "' prints text only (no -o json/yaml/wide/name)";
  if (a.command == "completion" && a.positional[0] != "bash" && a.positional[0] != "zsh")
    return "completion: unknown shell '" + a.positional[0] + "' (bash, zsh)";
  return "";
}

}  // namespace

std::optional<pipeline::ParameterValue> parseParameterAssignment(const std::string& text, std::string& error) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    error = "-p/--param: '" + text + "' is not NAME=VALUE";
    return std::nullopt;
  }
  if (eq == 0) {
    error = "-p/--param: '" + text + "' has no parameter name before '='";
    return std::nullopt;
  }
  return pipeline::ParameterValue{text.substr(0, eq), text.substr(eq + 1)};
}

const std::vector<std::string>& commandNames() {
  static const std::vector<std::string> names = {"list", "get",  "params", "start", "rerun", "plan",
                                                 "stop", "logs", "wait",   "dag",   "diff",  "completion", "ui"};
  return names;
}

std::vector<std::string> flagsOf(const std::string& command) {
  std::vector<std::string> out;
  for (const auto& f : flagTable()) {
    if (!allowedIn(f, command)) continue;
    out.push_back(f.name);
    if (f.shortName) out.push_back(f.shortName);
  }
  return out;
}

ParseOutcome parseArgs(const std::vector<std::string>& argv) {
  ParseOutcome o;
  CliArgs& a = o.args;
  // Two passes: the command decides which flags are allowed, and kubectl
  // lets global flags come before it (`kubectl sluice -n ml list`).
  std::vector<std::pair<const FlagDef*, std::string>> flags;
  bool onlyPositional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (onlyPositional || arg.size() < 2 || arg[0] != '-') {
      if (a.command.empty() && !onlyPositional)
        a.command = arg;
      else
        a.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      onlyPositional = true;
      continue;
    }
    std::string name = arg, value;
    bool hasValue = false;
    if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      hasValue = true;
    } else if (arg[1] != '-' && arg.size() > 2) {  // -ojson, -nml, as kubectl takes them
      name = arg.substr(0, 2);
      value = arg.substr(2);
      hasValue = true;
    }
    const FlagDef* f = findFlag(name);
    if (!f) {
      o.error = "unknown flag " + name;
      return o;
    }
    if (f->takesValue && !hasValue) {
      if (i + 1 >= argv.size()) {
        o.error = name + " needs a value";
        return o;
      }
      value = argv[++i];
    } else if (!f->takesValue && hasValue) {
      o.error = name + " takes no value";
      return o;
    }
    flags.emplace_back(f, value);
  }
  if (a.command == "help") {
    a.command.clear();
    a.help = true;
  }
  if (!a.command.empty() && !arities().count(a.command)) {
    o.error = "unknown command '" + a.command + "' (see kubectl sluice --help)";
    return o;
  }
  for (const auto& [f, value] : flags) {
    if (!a.command.empty() && !allowedIn(*f, a.command)) {
      o.error = std::string(f->name) + " is not a flag of '" + a.command + "'";
      return o;
    }
    if (std::string err = f->set(a, value); !err.empty()) {
      o.error = err;
      return o;
    }
  }
  if (a.help) return o;
  if (a.command.empty()) {
    o.error = "no command given (see kubectl sluice --help)";
    return o;
  }
  if (a.last) {
    if (!a.positional.empty() && a.positional[0] == "@latest") {
      // `--last @latest` says the same thing twice; keep one.
    } else if (a.command == "logs" && a.positional.size() <= 1) {
      a.positional.insert(a.positional.begin(), "@latest");
    } else if (a.positional.empty()) {
      a.positional.push_back("@latest");
    } else {
      o.error = "--last stands for the EXECUTION argument: give one or the other";
      return o;
    }
  }
  const Arity& ar = arities().at(a.command);
  if (a.positional.size() < ar.min || a.positional.size() > ar.max) {
    o.error = std::string("usage: kubectl sluice ") + ar.shape;
    return o;
  }
  if (a.command == "start" || a.command == "plan") a.run.pipeline = a.positional[0];
  if (a.command == "rerun") a.run.from = a.positional[0];
  o.error = checkCombination(a);
  return o;
}

std::string usage() {
  return R"(kubectl sluice: run, watch and selectively re-run Sluice pipelines.

Usage: kubectl sluice COMMAND [ARGS] [FLAGS]

Commands:
  list [PIPELINE]            executions, newest first (--status PHASE, -l SELECTOR, -A)
  get EXECUTION              the step tree in DAG order (-w/--watch redraws until it ends)
  params EXECUTION           effective parameters and where each came from
  start PIPELINE             start an execution: -p NAME=VALUE ..., --params-from EXECUTION,
                             --from EXECUTION, --steps A,B | --from-steps X | --from-failure,
                             --allow-stale-reuse, --max-parallel N, --wait | --watch [--timeout D],
                             --dry-run (print the plan, create nothing)
  rerun EXECUTION            start with EXECUTION as the source (default selection: --from-failure)
  plan PIPELINE              what `start` with the same flags would do, judged by the operator's planner
  stop EXECUTION             stop a running execution
  logs EXECUTION [STEP]      the steps' container logs (-f to follow, --failed for failed steps only)
  wait EXECUTION             block until it ends: exit 0 Succeeded, 1 Failed, 2 Stopped, 3 --timeout
  dag PIPELINE               the pipeline's DAG as text (-o dot for Graphviz)
  diff EXECUTION_A EXECUTION_B   parameters and per-step ran / reused / cache hit
  completion bash|zsh        a shell completion script
  ui                         the web view: the live DAG, step details, and re-runs picked on the graph
                             with the plan shown first; serves 127.0.0.1 (--port N, --open the browser)

EXECUTION may be @latest (or use --last): the newest execution in the namespace.

Global flags:
  -n, --namespace NS   namespace (default: the context's)
  -A, --all-namespaces list in every namespace
  --kubeconfig FILE    that kubeconfig only (else $KUBECONFIG, a merged list, else ~/.kube/config,
                       else the in-cluster service account)
  --context NAME       kubeconfig context
  -o, --output FORMAT  table (default), wide, json, yaml, name; dot for dag

Exit codes: 0 ok / Succeeded; 1 Failed or refused by the planner; 2 Stopped; 3 timeout;
            4 bad command line; 5 cluster error (unreachable, not found, forbidden, bad kubeconfig).
)";
}

}  // namespace sluice::cli

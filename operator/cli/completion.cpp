#include "cli/completion.h"

#include <set>

#include "cli/cli_args.h"

namespace sluice::cli {

namespace {

const std::set<std::string> kTakesPipeline = {"start", "plan", "dag", "list"};
const std::set<std::string> kTakesExecution = {"get", "params", "rerun", "stop", "logs", "wait", "diff"};
const std::set<std::string> kExecutionFlags = {"--from", "--params-from"};

std::vector<std::string> withPrefix(const std::vector<std::string>& xs, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& x : xs)
    if (x.rfind(prefix, 0) == 0) out.push_back(x);
  return out;
}

}  // namespace

std::vector<std::string> completeWords(const std::vector<std::string>& words, const CompletionSources& sources) {
  const std::string current = words.empty() ? "" : words.back();
  std::string command;
  size_t positional = 0;
  std::string previous = words.size() >= 2 ? words[words.size() - 2] : "";
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i].rfind("-", 0) == 0) continue;
    if (i > 0 && (words[i - 1] == "-n" || words[i - 1] == "--namespace" || words[i - 1] == "-o" ||
                  words[i - 1] == "--context" || words[i - 1] == "--kubeconfig" || kExecutionFlags.count(words[i - 1]) ||
                  words[i - 1] == "-p" || words[i - 1] == "--steps" || words[i - 1] == "--from-steps"))
      continue;
    if (command.empty()) command = words[i];
    else ++positional;
  }
  if (previous == "-o" || previous == "--output")
    return withPrefix({"table", "wide", "json", "yaml", "name", "dot"}, current);
  if (kExecutionFlags.count(previous) && sources.executions) return withPrefix(sources.executions(), current);
  if (command.empty()) return withPrefix(commandNames(), current);
  if (current.rfind("-", 0) == 0) return withPrefix(flagsOf(command), current);
  if (command == "completion") return positional == 0 ? withPrefix({"bash", "zsh"}, current) : std::vector<std::string>{};
  if (kTakesPipeline.count(command) && positional == 0 && sources.pipelines) return withPrefix(sources.pipelines(), current);
  if (kTakesExecution.count(command) && sources.executions && (positional == 0 || (command == "diff" && positional == 1))) {
    auto xs = sources.executions();
    xs.insert(xs.begin(), "@latest");
    return withPrefix(xs, current);
  }
  return {};
}

std::string completionScript(const std::string& shell) {
  // Both scripts call back into the plugin (`kubectl sluice __complete ...`)
  // so the candidates come from the one place that knows the flags.
  if (shell == "zsh") {
    return R"(#compdef kubectl-sluice
# kubectl sluice completion for zsh: source <(kubectl sluice completion zsh)
_kubectl_sluice() {
  local -a candidates
  candidates=("${(@f)$(kubectl-sluice __complete "${words[@]:1}" 2>/dev/null)}")
  compadd -- "${candidates[@]}"
}
compdef _kubectl_sluice kubectl-sluice
)";
  }
  return R"(# kubectl sluice completion for bash: source <(kubectl sluice completion bash)
_kubectl_sluice() {
  local IFS=$'\n'
  COMPREPLY=($(kubectl-sluice __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _kubectl_sluice kubectl-sluice
)";
}

}  // namespace sluice::cli

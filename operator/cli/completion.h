// Shell completion: `kubectl sluice completion bash|zsh` prints a script,
// and `kubectl_complete-sluice` (kubectl's plugin-completion hook, kubectl
// >= 1.26) prints candidates for the words typed so far. Both ask
// completeWords(), so the two agree.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace sluice::cli {

// Names of objects for completing arguments; may be empty (no cluster).
struct CompletionSources {
  std::function<std::vector<std::string>()> pipelines;
  std::function<std::vector<std::string>()> executions;
};

// Candidates for the last word of words (the words after "sluice"; the
// last one is being typed, possibly "").
std::vector<std::string> completeWords(const std::vector<std::string>& words, const CompletionSources& sources);

std::string completionScript(const std::string& shell);

}  // namespace sluice::cli

// kubectl-sluice from argv to exit code: parse, find the cluster, run the
// command. The mains are thin wrappers, so tests run the whole CLI in-process.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cli_args.h"
#include "cli/kubeconfig.h"
#include "kube/client.h"

namespace sluice::cli {

// `ui` lives in the web view's library (operator/ui), which builds on this
// one; the kubectl-sluice main passes it in. Gets the connected client, the
// namespace and the context's name.
using UiCommand = std::function<int(const CliArgs& args, std::shared_ptr<kube::Client> client, const std::string& ns,
                                    const std::string& context, std::ostream& out, std::ostream& err)>;

// argv without the program name. Never throws on user or server input.
int runCli(const std::vector<std::string>& argv, const Environment& env, std::ostream& out, std::ostream& err,
           bool outIsTerminal = false, const UiCommand& ui = {});

// kubectl's plugin completion protocol: candidates for the words, one per
// line, then ":4" (cobra's "no file completion" directive).
int runCompletion(const std::vector<std::string>& words, const Environment& env, std::ostream& out);

}  // namespace sluice::cli

// kubectl-sluice: the kubectl plugin (`kubectl sluice ...`). See cli/app.h.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "ui/app.h"

extern char** environ;

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);  // `| head` ends the output, not with a crash
  sluice::cli::Environment env;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  auto ui = [](const sluice::cli::CliArgs& a, std::shared_ptr<sluice::kube::Client> client, const std::string& ns,
               const std::string& context, std::ostream& out, std::ostream& err) {
    sluice::ui::UiOptions o;
    o.address = a.uiAddress;
    o.port = static_cast<unsigned short>(a.uiPort);
    o.openBrowser = a.uiOpen;
    o.defaultNamespace = ns;
    o.context = context;
    o.client = std::move(client);
    return sluice::ui::serveUi(o, out, err);
  };
  return sluice::cli::runCli(args, env, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1, ui);
}

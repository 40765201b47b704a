// kubectl-sluice: the kubectl plugin (`kubectl sluice ...`). See cli/app.h.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/app.h"

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
  return sluice::cli::runCli(args, env, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1);
}

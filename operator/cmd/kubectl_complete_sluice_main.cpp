// kubectl_complete-sluice: kubectl (>= 1.26) runs it to complete
// `kubectl sluice ...` with the words typed so far.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/app.h"

extern char** environ;

int main(int argc, char** argv) {
  sluice::cli::Environment env;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return sluice::cli::runCompletion(std::vector<std::string>(argv + 1, argv + argc), env, std::cout);
}

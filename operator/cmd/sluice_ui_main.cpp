// sluice-ui: the web view as a server of its own, for the chart's optional
// Deployment (in-cluster mode) or for running it without kubectl.
//   sluice-ui --in-cluster [--address 0.0.0.0] [--port 8080] [--allow-writes] [--namespace NS]
//   sluice-ui [--kubeconfig FILE] [--context NAME] [-n NS] [--port N] [--open]     (local mode)
// In-cluster, every request must carry the user's bearer token (from an
// authenticating proxy); it is forwarded to the API server, so the user's
// own RBAC decides what they see and do. Writes are off unless --allow-writes.
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/kubeconfig.h"
#include "kube/config.h"
#include "ui/app.h"

extern char** environ;

namespace {

int usage(std::ostream& out, int code) {
  out << "usage: sluice-ui --in-cluster [--address ADDR] [--port N] [--allow-writes] [--namespace NS]\n"
         "       sluice-ui [--kubeconfig FILE] [--context NAME] [-n NS] [--port N] [--open]\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  sluice::cli::Environment env;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  sluice::ui::UiOptions o;
  std::string kubeconfig, context, ns;
  bool inCluster = false, addressGiven = false, portGiven = false;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") return usage(std::cout, 0);
    if (a == "--in-cluster") {
      inCluster = true;
    } else if (a == "--allow-writes") {
      o.allowWrites = true;
    } else if (a == "--open") {
      o.openBrowser = true;
    } else if (a == "--address" && next(v)) {
      o.address = v;
      addressGiven = true;
    } else if (a == "--port" && next(v)) {
      try {
        size_t used = 0;
        const int port = std::stoi(v, &used);
        if (used != v.size() || port < 0 || port > 65535) throw std::invalid_argument(v);
        o.port = static_cast<unsigned short>(port);
        portGiven = true;
      } catch (const std::exception&) {
        std::cerr << "error: --port: '" << v << "' is not a port number\n";
        return 4;
      }
    } else if ((a == "--namespace" || a == "-n") && next(v)) {
      ns = v;
    } else if (a == "--kubeconfig" && next(v)) {
      kubeconfig = v;
    } else if (a == "--context" && next(v)) {
      context = v;
    } else {
      std::cerr << "error: unknown or incomplete flag '" << a << "'\n";
      return usage(std::cerr, 4);
    }
  }
  if (inCluster) {
    auto config = sluice::kube::in_cluster_config(env);
    if (!config.ok()) {
      std::cerr << "error: " << config.error().message << "\n";
      return 5;
    }
    o.mode = sluice::ui::UiMode::InCluster;
    o.defaultNamespace = ns.empty() ? config->namespace_ : ns;
    o.inClusterConfig = *config;
    o.inClusterConfig.token.reset();  // the pod's own token is never used for users' requests
    if (!addressGiven) o.address = "0.0.0.0";
    if (!portGiven) o.port = 8080;
    // Read-only unless asked: the chart's ui.allowWrites.
    bool writes = false;
    for (const auto& a : args) writes = writes || a == "--allow-writes";
    o.allowWrites = writes;
  } else {
    auto config = sluice::cli::resolveConfig(kubeconfig, context, env);
    if (!config.ok()) {
      std::cerr << "error: " << config.error().message << "\n";
      return 5;
    }
    o.defaultNamespace = ns.empty() ? config->namespace_ : ns;
    o.context = context;
    auto client = sluice::kube::Client::create(*config);
    if (!client.ok()) {
      std::cerr << "error: " << client.error().message << "\n";
      return 5;
    }
    o.client = *client;
  }
  return sluice::ui::serveUi(o, std::cout, std::cerr);
}

// sluice-ui: the web view as a server of its own, for the chart's optional
// Deployment (in-cluster mode) or for running it without kubectl.
//   sluice-ui --in-cluster [--address 0.0.0.0] [--port 8080] [--allow-writes] [--namespace NS] [--ca-file F]
//   sluice-ui [--kubeconfig FILE] [--context NAME] [-n NS] [--port N] [--open]     (local mode)
// In-cluster, every request must carry the user's bearer token (from an
// authenticating proxy); it is forwarded to the API server, so the user's
// own RBAC decides what they see and do. The pod has no token of its own
// (the chart turns automounting off): only the API server's address
// (KUBERNETES_SERVICE_HOST/PORT) and CA (--ca-file). Writes are off unless
// --allow-writes.
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include <fstream>
#include <sstream>

#include "cli/kubeconfig.h"
#include "kube/config.h"
#include "ui/app.h"

extern char** environ;

namespace {

// The API server as seen from a pod, with no credentials: each request
// brings the user's bearer token.
bool tokenlessInClusterConfig(const sluice::cli::Environment& env, const std::string& caFile,
                              sluice::kube::Config& config, std::string& problem) {
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  std::string host = get("KUBERNETES_SERVICE_HOST");
  const std::string port = get("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    problem = "--in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not in a pod?)";
    return false;
  }
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  std::ifstream f(caFile);
  std::stringstream ca;
  ca << f.rdbuf();
  if (!f || ca.str().find("-----BEGIN ") == std::string::npos) {
    problem = "--ca-file: " + caFile + " is not a readable PEM certificate";
    return false;
  }
  config.server = "https://" + host + ":" + port;
  config.ca_pem = ca.str();
  return true;
}

int usage(std::ostream& out, int code) {
  out << "usage: sluice-ui --in-cluster [--address ADDR] [--port N] [--allow-writes] [--namespace NS] [--ca-file F]\n"
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
  std::string caFile = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  bool inCluster = false, addressGiven = false, portGiven = false, writes = false;
  // --flag=value is --flag value, as the chart renders it.
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      args.push_back(a.substr(0, eq));
      args.push_back(a.substr(eq + 1));
    } else {
      args.push_back(a);
    }
  }
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
      writes = true;
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
    } else if (a == "--ca-file" && next(v)) {
      caFile = v;
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
    std::string problem;
    if (!tokenlessInClusterConfig(env, caFile, o.inClusterConfig, problem)) {
      std::cerr << "error: " << problem << "\n";
      return 5;
    }
    o.mode = sluice::ui::UiMode::InCluster;
    o.defaultNamespace = ns.empty() ? "default" : ns;
    if (!addressGiven) o.address = "0.0.0.0";
    if (!portGiven) o.port = 8080;
    // Read-only unless asked: the chart's ui.allowWrites.
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

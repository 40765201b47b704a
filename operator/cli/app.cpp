#include "cli/app.h"

#include <thread>

#include "cli/cli_args.h"
#include "cli/command_context.h"
#include "cli/completion.h"
#include "cli/exit_codes.h"
#include "controller/json_access.h"
#include "controller/sluice_resources.h"
#include "kube/log.h"

namespace sluice::cli {

namespace {

struct Connection {
  std::shared_ptr<kube::Client> client;
  std::string ns;
};

kube::Result<Connection> connect(const GlobalFlags& g, const Environment& env) {
  auto config = resolveConfig(g.kubeconfig, g.context, env);
  if (!config.ok()) return config.error();
  const std::string ns = g.namespace_.empty() ? config->namespace_ : g.namespace_;
  kube::ClientOptions o;
  o.user_agent = "kubectl-sluice/0.1";
  // An interactive tool: say the cluster is unreachable within seconds, not after a minute of retries.
  o.max_retries = 2;
  o.retry_backoff = kube::BackoffPolicy{std::chrono::milliseconds(200), std::chrono::seconds(1), 2.0, 0.5,
                                        std::chrono::seconds(10)};
  o.request_timeout = std::chrono::seconds(20);
  auto client = kube::Client::create(std::move(config).value(), o);
  if (!client.ok()) return client.error();
  return Connection{*client, ns};
}

std::vector<std::string> names(SluiceApi& api, const kube::Resource& r) {
  std::vector<std::string> out;
  auto list = api.client().list(r, api.ns());
  if (!list.ok()) return out;
  for (const auto& x : list->items) out.push_back(controller::stringAt(x, {"metadata", "name"}));
  return out;
}

}  // namespace

int runCompletion(const std::vector<std::string>& words, const Environment& env, std::ostream& out) {
  kube::set_log_sink([](kube::LogLevel, const std::string&) {});  // nothing on the user's prompt
  // Flags already typed (-n, --context) decide which cluster to ask.
  GlobalFlags g;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "-n" || words[i] == "--namespace") g.namespace_ = words[i + 1];
    if (words[i] == "--context") g.context = words[i + 1];
    if (words[i] == "--kubeconfig") g.kubeconfig = words[i + 1];
  }
  std::shared_ptr<SluiceApi> api;
  auto lazyApi = [&]() -> SluiceApi* {
    if (!api) {
      auto c = connect(g, env);
      if (!c.ok()) return nullptr;
      api = std::make_shared<SluiceApi>(c->client, c->ns);
    }
    return api.get();
  };
  CompletionSources sources;
  sources.pipelines = [&] {
    SluiceApi* a = lazyApi();
    return a ? names(*a, controller::pipelinesResource()) : std::vector<std::string>{};
  };
  sources.executions = [&] {
    SluiceApi* a = lazyApi();
    return a ? names(*a, controller::executionsResource()) : std::vector<std::string>{};
  };
  for (const auto& c : completeWords(words.empty() ? std::vector<std::string>{""} : words, sources)) out << c << "\n";
  out << ":4\n";
  return kExitOk;
}

int runCli(const std::vector<std::string>& argv, const Environment& env, std::ostream& out, std::ostream& err,
           bool outIsTerminal, const UiCommand& ui) {
  if (!argv.empty() && argv[0] == "__complete")
    return runCompletion(std::vector<std::string>(argv.begin() + 1, argv.end()), env, out);
  ParseOutcome parsed = parseArgs(argv);
  if (parsed.args.help) {
    out << usage();
    return kExitOk;
  }
  if (!parsed.error.empty()) {
    err << "error: " << parsed.error << "\n";
    return kExitUsage;
  }
  const CliArgs& a = parsed.args;
  if (a.command == "completion") {
    out << completionScript(a.positional[0]);
    return kExitOk;
  }
  // The client library's own diagnostics (retries) are for operators'
  // logs; the CLI reports errors itself. It never logs tokens either way.
  kube::set_log_sink([](kube::LogLevel, const std::string&) {});
  auto connection = connect(a.global, env);
  if (!connection.ok()) {
    err << "error: " << connection.error().message << "\n";
    return kExitCluster;
  }
  if (a.command == "ui") {
    if (!ui) {
      err << "error: this build of kubectl-sluice has no web view\n";
      return kExitUsage;
    }
    return ui(a, connection->client, connection->ns, a.global.context, out, err);
  }
  SluiceApi api(connection->client, connection->ns);
  CommandContext c{a, api, out, err, [] { return static_cast<pipeline::UnixSeconds>(std::time(nullptr)); },
                   [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }, outIsTerminal};
  const std::string& cmd = a.command;
  if (cmd == "list") return listCommand(c);
  if (cmd == "get") return getCommand(c);
  if (cmd == "params") return paramsCommand(c);
  if (cmd == "start" || cmd == "rerun" || cmd == "plan") return runCommand(c);
  if (cmd == "stop") return stopCommand(c);
  if (cmd == "wait") return waitCommand(c);
  if (cmd == "logs") return logsCommand(c);
  if (cmd == "dag") return dagCommand(c);
  if (cmd == "diff") return diffCommand(c);
  err << "error: unknown command '" << cmd << "'\n";
  return kExitUsage;
}

}  // namespace sluice::cli

#include "ui/app.h"

#include <spawn.h>
#include <sys/wait.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "kube/token_source.h"
#include "pipeline/plan_time.h"
#include "ui/assets.h"
#include "ui/kube_backend.h"

extern char** environ;

namespace sluice::ui {

namespace {

// An address as a URL's host: IPv6 in brackets.
std::string urlHost(const std::string& address) {
  return address.find(':') != std::string::npos ? "[" + address + "]" : address;
}

bool isLoopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address.rfind("127.", 0) == 0;
}

Routed staticFile(const HttpRequest& req) {
  Routed r;
  if (req.method != "GET") {
    r.response = errorResponse(405, "method " + req.method + " is not allowed here");
  } else if (const Asset* a = findAsset(req.path == "/" ? "/index.html" : req.path)) {
    r.response.contentType = std::string(a->contentType);
    r.response.body = std::string(a->body);
  } else {
    r.response = errorResponse(404, "no such page: " + req.path);
  }
  addSecurityHeaders(r.response, false);
  return r;
}

// The default browser, without a shell: $BROWSER, else xdg-open.
void openBrowser(const std::string& url, std::ostream& err) {
  const char* browser = std::getenv("BROWSER");
  std::string program = browser && *browser ? browser : "xdg-open";
  std::vector<char*> argv = {program.data(), const_cast<char*>(url.c_str()), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    err << "could not start " << program << " to open the browser; open the URL above yourself\n";
    return;
  }
  std::thread([pid] { waitpid(pid, nullptr, 0); }).detach();  // no zombie
}

}  // namespace

std::string checkOptions(const UiOptions& o) {
  if (o.mode == UiMode::Local && !isLoopback(o.address))
    return "--address: '" + o.address +
           "' is not a loopback address; kubectl sluice ui serves this machine only (for a shared UI deploy "
           "sluice-ui with the chart, behind an authenticating proxy)";
  if (o.mode == UiMode::Local && !o.client) return "no cluster client";
  return "";
}

UiApp::UiApp(UiOptions options, Secrets secrets)
    : options_(std::move(options)), guard_([&] {
        GuardSettings g;
        g.mode = options_.mode;
        return g;
      }(), std::move(secrets)) {
  if (options_.client) localBackend_ = std::make_shared<KubeBackend>(options_.client);
}

std::shared_ptr<Backend> UiApp::backendFor(const HttpRequest& request, std::string& problem) {
  if (options_.mode == UiMode::Local) return localBackend_;
  kube::Config config = options_.inClusterConfig;
  config.token = std::make_shared<kube::StaticTokenSource>(AccessGuard::bearerToken(request));
  config.client_cert_pem.clear();
  config.client_key_pem.clear();
  kube::ClientOptions o;
  o.user_agent = "sluice-ui/0.1";
  o.max_retries = 2;
  o.request_timeout = std::chrono::seconds(20);
  auto client = kube::Client::create(std::move(config), o);
  if (!client.ok()) {
    problem = client.error().message;
    return nullptr;
  }
  return std::make_shared<KubeBackend>(*client);
}

void UiApp::bound(const std::string& address, unsigned short port) {
  if (options_.mode != UiMode::Local) return;
  const std::string p = ":" + std::to_string(port);
  const std::string host = urlHost(address);
  std::lock_guard<std::mutex> lock(guardMutex_);
  guard_.bound({host + p, "localhost" + p}, "sluice_ui_session_" + std::to_string(port));
}

Routed UiApp::route(const HttpRequest& request) {
  // Liveness for the chart's probes: says nothing but that the server runs.
  if (request.path == "/healthz" && request.method == "GET") {
    Routed r;
    r.response.contentType = "text/plain";
    r.response.body = "ok\n";
    return r;
  }
  {
    std::lock_guard<std::mutex> lock(guardMutex_);
    if (auto refused = guard_.admit(request)) {
      Routed r{*refused, std::nullopt};
      addSecurityHeaders(r.response, true);
      return r;
    }
  }
  if (request.path.rfind("/api/", 0) != 0) return staticFile(request);
  std::string problem;
  auto backend = backendFor(request, problem);
  if (!backend) {
    Routed r{errorResponse(502, "cannot reach the cluster: " + problem), std::nullopt};
    addSecurityHeaders(r.response, true);
    return r;
  }
  if (const std::string ns = watchNamespace(request); !ns.empty()) return stream(backend, ns);
  ApiContext ctx;
  ctx.defaultNamespace = options_.defaultNamespace;
  ctx.context = options_.context;
  ctx.readOnly = !options_.allowWrites;
  ctx.csrfToken = guard_.csrfTokenFor(request);
  ctx.now = [] { return static_cast<pipeline::UnixSeconds>(std::time(nullptr)); };
  Routed r{handleApi(*backend, request, ctx), std::nullopt};
  addSecurityHeaders(r.response, true);
  return r;
}

Routed UiApp::stream(std::shared_ptr<Backend> backend, const std::string& ns) {
  Routed r;
  r.response.contentType = "text/event-stream";
  addSecurityHeaders(r.response, true);
  r.stream = [backend, ns](const StreamWriter& write) {
    if (!write("retry: 2000\n\n")) return;
    // A comment every 15 s keeps proxies from closing an idle stream and
    // finds a closed tab, whose watch it then cancels (a quiet namespace
    // would otherwise hold the watch until the server ends it).
    pplx::cancellation_token_source closed;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::thread heartbeat([&] {
      std::unique_lock<std::mutex> lock(mu);
      while (!cv.wait_for(lock, std::chrono::seconds(15), [&] { return done; })) {
        lock.unlock();
        const bool open = write(": ping\n\n");
        lock.lock();
        if (!open) {
          closed.cancel();
          return;
        }
      }
    });
    // A watch ends after its timeout or on an error; start another while
    // the page listens. The page re-reads what it shows on each event, so
    // a gap between two watches costs nothing but an extra read.
    while (!closed.get_token().is_canceled()) {
      bool clientGone = false;
      auto result = backend->watchExecutions(
          ns,
          [&](ExecutionChange&& change) {
            clientGone = !write(serverSentEvent(change));
            return !clientGone;
          },
          closed.get_token());
      if (clientGone) break;
      // The caller may not watch (or its token is bad): say so once and end.
      if (!result.ok() && (result.error().is(kube::ErrorKind::Unauthorized) || result.error().is(kube::ErrorKind::Forbidden))) {
        write("event: problem\ndata: " + web::json::value::string(result.error().message).serialize() + "\n\n");
        break;
      }
      if (!result.ok() && !closed.get_token().is_canceled()) {
        if (!write("event: problem\ndata: " + web::json::value::string(result.error().message).serialize() + "\n\n")) break;
        std::this_thread::sleep_for(std::chrono::seconds(2));
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
    }
    cv.notify_all();
    heartbeat.join();
  };
  return r;
}

int serveUi(const UiOptions& options, std::ostream& out, std::ostream& err) {
  if (const std::string problem = checkOptions(options); !problem.empty()) {
    err << "error: " << problem << "\n";
    return 4;
  }
  Secrets secrets = newSecrets();
  const std::string loginToken = secrets.loginToken;
  auto app = std::make_shared<UiApp>(options, std::move(secrets));
  std::unique_ptr<Server> server;
  try {
    ServerOptions so;
    so.address = options.address;
    so.port = options.port;
    server = std::make_unique<Server>(so, [app](const HttpRequest& r) { return app->route(r); });
  } catch (const std::exception& e) {
    err << "error: cannot listen on " << options.address << ":" << options.port << ": " << e.what() << "\n";
    return 5;
  }
  app->bound(options.address, server->port());
  if (options.mode == UiMode::Local) {
    const std::string host = urlHost(options.address);
    const std::string url = "http://" + host + ":" + std::to_string(server->port()) + "/?token=" + loginToken;
    out << "Sluice UI for namespace " << options.defaultNamespace << ": " << url << "\n"
        << "(the link works once; press Ctrl-C to stop)" << std::endl;
    if (options.openBrowser) openBrowser(url, err);
  } else {
    out << "sluice-ui listening on " << options.address << ":" << server->port()
        << (options.allowWrites ? " (writes enabled)" : " (read-only)") << std::endl;
  }
  server->run();
  return 0;
}

}  // namespace sluice::ui

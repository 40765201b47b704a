// The web view as a whole: the access guard in front, then the JSON API,
// the event stream or the embedded page. serveUi binds, prints the URL and
// serves until the process is stopped.
#pragma once

#include <memory>
#include <mutex>
#include <ostream>
#include <string>

#include "kube/client.h"
#include "ui/access_guard.h"
#include "ui/api.h"
#include "ui/backend.h"
#include "ui/server.h"

namespace sluice::ui {

struct UiOptions {
  UiMode mode = UiMode::Local;
  std::string address = "127.0.0.1";
  unsigned short port = 0;
  bool openBrowser = false;
  bool allowWrites = true;  // in-cluster: off unless the chart enables it
  std::string defaultNamespace = "default";
  std::string context;  // shown in the header (local mode)
  // Local mode: the caller's client. In-cluster: the API server's address
  // and CA; each request gets a client with the user's bearer token.
  std::shared_ptr<kube::Client> client;
  kube::Config inClusterConfig;
};

// "" when the options can be served, else the problem naming the flag.
std::string checkOptions(const UiOptions& options);

class UiApp {
 public:
  UiApp(UiOptions options, Secrets secrets);
  Routed route(const HttpRequest& request);
  // Local mode: answer only to Host 127.0.0.1:PORT / localhost:PORT (the
  // DNS-rebinding defence), once the port is bound.
  void bound(const std::string& address, unsigned short port);
  // The backend for one request: the shared one (local) or one acting as
  // the request's bearer token (in-cluster); null when no client can be made.
  std::shared_ptr<Backend> backendFor(const HttpRequest& request, std::string& problem);

 private:
  Routed stream(std::shared_ptr<Backend> backend, const std::string& ns);

  UiOptions options_;
  AccessGuard guard_;
  std::mutex guardMutex_;
  std::shared_ptr<Backend> localBackend_;
};

// Binds, prints "Sluice UI: http://127.0.0.1:PORT/?token=..." to out (the
// token is for the person at this terminal; it is never logged), opens the
// browser when asked, and serves until the process ends. Returns an exit
// code when it cannot start.
int serveUi(const UiOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sluice::ui

// A small HTTP/1.1 server on Boost.Beast: one thread per connection (the
// web view has a handful of tabs, not thousands of clients), a cap on
// connections, request size limits and read timeouts, and streaming
// responses for server-sent events.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ui/http_types.h"

namespace sluice::ui {

// Writes one chunk of a streamed body; false once the client is gone.
using StreamWriter = std::function<bool(const std::string&)>;
// Produces a streamed body until it returns (or the writer says the client left).
using StreamBody = std::function<void(const StreamWriter&)>;

struct Routed {
  HttpResponse response;             // for a streamed body: its status and headers
  std::optional<StreamBody> stream;  // set: stream this after the headers
};

using Router = std::function<Routed(const HttpRequest&)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 0;  // 0: a free port
  int maxConnections = 64;
  int idleSeconds = 60;     // a connection with no complete request in this time is closed
};

class Server {
 public:
  // Binds at once (so port() is known before run()); throws with the
  // system's words when the address cannot be bound.
  Server(ServerOptions options, Router router);
  ~Server();
  unsigned short port() const;
  // Accepts until stop(); each connection on its own detached thread.
  void run();
  void stop();

  struct State;  // shared with the connection threads, which may outlive run()

 private:
  std::shared_ptr<State> state_;
};

// Headers every response carries: a strict Content-Security-Policy (the
// page loads only its own script and style), no sniffing, no framing, no
// referrer, and no caching of API answers.
void addSecurityHeaders(HttpResponse& response, bool isApi);

}  // namespace sluice::ui

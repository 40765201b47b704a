// Serves /metrics (Prometheus text), /healthz, /livez and /readyz over plain
// HTTP/1.1 on one Boost.Asio thread. Readiness is a callback so the owner
// decides what "ready" means (caches synced; with leader election, leading or
// standing by). Binds where told: "127.0.0.1:8080", ":8080" (all interfaces,
// as in a pod), "[::1]:8080", or "0" to disable (checked by the caller).
//
// The server is deliberately small and defensive, because it faces whatever
// the pod network sends: one request per connection (Connection: close),
// a cap on the request head and on open connections (at the cap the oldest
// connection still waiting for its request makes room, so idle clients
// cannot lock out the kubelet's probes), and a deadline per connection so a
// client that connects and says nothing is dropped.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace sluice::controller {

struct EndpointHandlers {
  std::function<std::string()> metrics;  // body of /metrics; empty function -> 404
  std::function<bool()> ready;           // /readyz 200 when true, 503 otherwise
};

struct EndpointLimits {
  std::chrono::milliseconds requestDeadline{10000};  // whole request + reply
  std::size_t maxRequestHeadBytes = 8192;             // larger -> 431
  std::size_t maxConnections = 64;                    // then the oldest still waiting for its request goes
};

class HttpEndpoints {
 public:
  // Throws std::runtime_error naming the address when it cannot be parsed or bound.
  HttpEndpoints(const std::string& bindAddress, EndpointHandlers handlers, EndpointLimits limits = {});
  ~HttpEndpoints();
  HttpEndpoints(const HttpEndpoints&) = delete;
  HttpEndpoints& operator=(const HttpEndpoints&) = delete;

  // The URL it listens on, e.g. "http://127.0.0.1:8080".
  const std::string& url() const { return url_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string url_;
};

// ":8080" -> "http://0.0.0.0:8080"; "127.0.0.1:9" -> "http://127.0.0.1:9";
// "[::1]:9" -> "http://[::1]:9". Returns "" when the text is not host:port
// with a port 1..65535.
std::string listenUrlFromBindAddress(const std::string& bindAddress);

// One parsed request line; ok=false when it is not "METHOD TARGET HTTP/1.x".
struct RequestLine {
  bool ok = false;
  std::string method;
  std::string path;  // the target without its query string
};
RequestLine parseRequestLine(const std::string& head);

}  // namespace sluice::controller

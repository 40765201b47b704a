// Serves /metrics (Prometheus text), /healthz and /readyz over plain HTTP.
// Readiness is a callback so the owner decides what "ready" means (caches
// synced; with leader election, leading or standing by). Binds where told:
// "127.0.0.1:8080", ":8080" (all interfaces, as in a pod), or "0" to disable.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace sluice::controller {

class Registry;

struct EndpointHandlers {
  std::function<std::string()> metrics;  // body of /metrics; empty function -> 404
  std::function<bool()> ready;           // /readyz 200 when true, 503 otherwise
};

class HttpEndpoints {
 public:
  // Throws std::runtime_error when the address cannot be parsed or bound.
  HttpEndpoints(const std::string& bindAddress, EndpointHandlers handlers);
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

// ":8080" -> "http://0.0.0.0:8080"; "127.0.0.1:9" -> "http://127.0.0.1:9".
// Returns "" when the text is not host:port with a port 1..65535.
std::string listenUrlFromBindAddress(const std::string& bindAddress);

}  // namespace sluice::controller

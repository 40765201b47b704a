// Blocking HTTP/1.1 exchanges with the API server over TLS, each run on the
// calling thread from start to end, over connections kept alive in a pool.
//
// Why not cpprestsdk's client for these: it hands every request through its
// thread pool and a chain of task continuations, which cost the caller more
// CPU per request (0.6-1.4 ms, bench_operator --request-costs) than the API
// server spends answering a GET; the operator sends several requests per
// step. Watches, which stream for minutes, stay on cpprestsdk.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ssl/context.hpp>
#include <pplx/pplxtasks.h>

#include "kube/config.h"
#include "kube/result.h"

namespace sluice::kube {

// The host of an API server URL as TLS checks it: an IPv6 literal without
// its brackets.
std::string tls_host(const std::string& server);

struct HttpsReply {
  unsigned status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, "" when absent
};

class HttpsTransport {
 public:
  // `config.server` must be an https:// URL; TLS is set up as
  // configure_ssl_context does (verification on unless the kubeconfig says
  // insecure-skip-tls-verify). `timeout` bounds each exchange (connect,
  // handshake, write, read).
  static Result<std::unique_ptr<HttpsTransport>> create(const Config& config, std::chrono::seconds timeout);
  ~HttpsTransport();
  HttpsTransport(const HttpsTransport&) = delete;
  HttpsTransport& operator=(const HttpsTransport&) = delete;

  // One request and its response. `target`: path and query. Host,
  // Content-Length and keep-alive are set here. A transport error (refused,
  // reset, timed out, TLS) is an error of kind Transport; a cancelled
  // `cancel` ends the exchange within about 100 ms with kind Cancelled.
  Result<HttpsReply> exchange(const std::string& method, const std::string& target,
                              const std::vector<std::pair<std::string, std::string>>& headers, const std::string* body,
                              const pplx::cancellation_token& cancel);

  // Connections opened so far (kept-alive ones are reused, not counted again).
  size_t connections_opened() const;

 private:
  struct Connection;
  explicit HttpsTransport(std::chrono::seconds timeout);
  std::unique_ptr<Connection> take_idle();
  void put_idle(std::unique_ptr<Connection> connection);

  std::string host_;  // for SNI, Host and name verification
  std::string port_;
  std::string host_header_;
  std::chrono::seconds timeout_;
  boost::asio::ssl::context tls_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // most recently used last
  size_t opened_ = 0;
};

}  // namespace sluice::kube

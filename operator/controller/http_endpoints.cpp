#include "http_endpoints.h"

#include <cpprest/http_listener.h>

#include <stdexcept>

namespace sluice::controller {

using web::http::http_request;
using web::http::methods;
using web::http::status_codes;

std::string listenUrlFromBindAddress(const std::string& bind) {
  auto colon = bind.rfind(':');
  if (colon == std::string::npos) return "";
  std::string host = bind.substr(0, colon);
  std::string port = bind.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return "";
  int p = std::stoi(port);
  if (p < 1 || p > 65535) return "";
  if (host.empty()) host = "0.0.0.0";
  return "http://" + host + ":" + port;
}

struct HttpEndpoints::Impl {
  explicit Impl(const std::string& url) : listener(web::uri(url)) {}
  web::http::experimental::listener::http_listener listener;
  EndpointHandlers handlers;
};

HttpEndpoints::HttpEndpoints(const std::string& bindAddress, EndpointHandlers handlers) {
  url_ = listenUrlFromBindAddress(bindAddress);
  if (url_.empty()) throw std::runtime_error("invalid bind address \"" + bindAddress + "\": want HOST:PORT or :PORT");
  impl_ = std::make_unique<Impl>(url_);
  impl_->handlers = std::move(handlers);
  Impl* impl = impl_.get();
  impl_->listener.support(methods::GET, [impl](http_request req) {
    const std::string path = req.relative_uri().path();
    if (path == "/healthz" || path == "/livez") {
      req.reply(status_codes::OK, "ok");
    } else if (path == "/readyz") {
      bool ready = impl->handlers.ready && impl->handlers.ready();
      req.reply(ready ? status_codes::OK : status_codes::ServiceUnavailable, ready ? "ok" : "not ready");
    } else if (path == "/metrics" && impl->handlers.metrics) {
      req.reply(status_codes::OK, impl->handlers.metrics(), "text/plain; version=0.0.4; charset=utf-8");
    } else {
      req.reply(status_codes::NotFound, "not found");
    }
  });
  try {
    impl_->listener.open().wait();
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen on " + bindAddress + ": " + e.what());
  }
}

HttpEndpoints::~HttpEndpoints() {
  try {
    impl_->listener.close().wait();
  } catch (...) {
    // Closing a listener that failed half-way must not throw from a destructor.
  }
}

}  // namespace sluice::controller

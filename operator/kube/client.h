// Client for the Kubernetes REST API on generic resources with JSON bodies.
// Every call blocks the calling thread until done and returns Result<T>; the
// client is thread-safe. Calls are rate-limited by a client-side token bucket
// and retried with exponential backoff and jitter on 429, 5xx and transport
// errors, waiting at least the server's Retry-After.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <cpprest/http_client.h>
#include <cpprest/json.h>
#include <pplx/pplxtasks.h>

#include "kube/backoff.h"
#include "kube/clock.h"
#include "kube/config.h"
#include "kube/https_transport.h"
#include "kube/rate_limiter.h"
#include "kube/resource.h"
#include "kube/result.h"
#include "kube/watch_event.h"

namespace sluice::kube {

struct ClientOptions {
  double qps = 50;  // <= 0: unlimited
  int burst = 100;
  int max_retries = 5;
  BackoffPolicy retry_backoff{std::chrono::milliseconds(200), std::chrono::seconds(10), 2.0, 0.5,
                              std::chrono::minutes(1)};
  // Longest wait honoured from a Retry-After; larger values are clamped.
  std::chrono::seconds max_retry_after{60};
  std::chrono::seconds request_timeout{30};
  // Idle limit on watch connections; must exceed any watch timeoutSeconds.
  std::chrono::seconds watch_idle_timeout{15 * 60};
  std::string user_agent = "sluice-kube/0.1";
  std::shared_ptr<Clock> clock = real_clock();
  // How the client waits between retries and for rate-limit tokens.
  std::function<void(Clock::Duration)> sleep;  // default: std::this_thread::sleep_for
  RandomSource random;                         // default: default_random()
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int limit = 0;               // page size; 0 = server default (everything)
  std::string continue_token;  // from the previous page
  std::string resource_version;
};

struct ListResult {
  std::vector<web::json::value> items;
  std::string resource_version;  // of the collection: where a watch starts
  std::string continue_token;    // non-empty when more pages follow
};

enum class PropagationPolicy { Default, Background, Foreground, Orphan };

struct DeleteOptions {
  PropagationPolicy propagation = PropagationPolicy::Default;
  std::string precondition_uid;
  std::string precondition_resource_version;
  std::optional<int> grace_period_seconds;
};

struct WatchOptions {
  std::string resource_version;  // start after this version ("" = now, with initial ADDs)
  std::string label_selector;
  std::string field_selector;
  int timeout_seconds = 300;     // the server ends the stream after this
  bool allow_bookmarks = true;
};

// How long to wait before retrying after `error`: the backoff delay, or the
// server's Retry-After (capped at `max_retry_after`) when that is longer.
Clock::Duration retry_wait(const Error& error, Clock::Duration backoff_delay,
                           std::chrono::seconds max_retry_after);

class Client {
 public:
  // Validates the TLS material up front (a Config error if it is bad).
  static Result<std::shared_ptr<Client>> create(Config config, ClientOptions options = {});

  const std::string& default_namespace() const { return config_.namespace_; }
  const Config& config() const { return config_; }

  Result<web::json::value> get(const Resource& r, const std::string& ns, const std::string& name);
  // One page (or everything when opts.limit == 0). `cancel` aborts the call
  // and its retry waits (result Cancelled).
  Result<ListResult> list(const Resource& r, const std::string& ns, const ListOptions& opts = {},
                          const pplx::cancellation_token& cancel = pplx::cancellation_token::none());
  // Follows continue tokens until the last page; `opts.limit` is the page size.
  Result<ListResult> list_all(const Resource& r, const std::string& ns, ListOptions opts = {},
                              const pplx::cancellation_token& cancel = pplx::cancellation_token::none());
  Result<web::json::value> create(const Resource& r, const std::string& ns, const web::json::value& obj);
  // PUT; obj.metadata.resourceVersion makes it a compare-and-swap (Conflict if stale).
  Result<web::json::value> update(const Resource& r, const std::string& ns, const web::json::value& obj);
  Result<web::json::value> merge_patch(const Resource& r, const std::string& ns,
                                       const std::string& name, const web::json::value& patch);
  Result<web::json::value> update_status(const Resource& r, const std::string& ns,
                                         const web::json::value& obj);
  Result<web::json::value> merge_patch_status(const Resource& r, const std::string& ns,
                                              const std::string& name, const web::json::value& patch);
  Result<void> remove(const Resource& r, const std::string& ns, const std::string& name,
                      const DeleteOptions& opts = {});

  // Runs one watch request, calling `on_event` for each event as its line
  // arrives, until the server ends the stream (returns ok), `cancel` fires
  // (Cancelled), on_event returns false (ok), or an error. An ERROR event is
  // returned as its decoded Status error (Gone for an expired version); a
  // malformed line is a Decode error. No retries here: see Reflector.
  Result<void> watch(const Resource& r, const std::string& ns, const WatchOptions& opts,
                     const std::function<bool(WatchEvent&&)>& on_event,
                     const pplx::cancellation_token& cancel = pplx::cancellation_token::none());

  // GET of a path whose answer is text, not JSON (pods/NAME/log). One
  // attempt, no retries; errors decoded as for request().
  Result<std::string> get_text(const std::string& path);

  // Generic request with retries: `path` may carry a query string. With a
  // cancellable token, retry waits are real-time waits that `cancel` cuts
  // short (the injected sleep is used otherwise).
  Result<web::json::value> request(const web::http::method& method, const std::string& path,
                                   const std::optional<web::json::value>& body = std::nullopt,
                                   const std::string& content_type = "application/json",
                                   const pplx::cancellation_token& cancel = pplx::cancellation_token::none());

 private:
  Client(Config config, ClientOptions options, std::unique_ptr<HttpsTransport> https);
  web::http::http_request make_request(const web::http::method& method, const std::string& path,
                                       const std::optional<web::json::value>& body,
                                       const std::string& content_type, Result<void>& status);
  Result<web::json::value> send_once(const web::http::method& method, const std::string& path,
                                     const std::optional<web::json::value>& body,
                                     const std::string& content_type,
                                     const pplx::cancellation_token& cancel);
  void sleep(Clock::Duration d, const pplx::cancellation_token& cancel);
  void wait_for_token();

  Config config_;
  ClientOptions options_;
  std::unique_ptr<web::http::client::http_client> http_;
  std::unique_ptr<web::http::client::http_client> watch_http_;
  // Requests and responses to an https server go here (watches and get_text
  // stay on cpprestsdk); null for http:// servers.
  std::unique_ptr<HttpsTransport> https_;
  TokenBucket limiter_;
};

}  // namespace sluice::kube

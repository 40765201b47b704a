// Typed errors for every call that talks to the API server or reads config.
// An Error is a value the caller branches on by kind; it carries the server's
// HTTP code, Status reason and message verbatim.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <cpprest/json.h>

namespace sluice::kube {

enum class ErrorKind {
  NotFound,         // 404
  AlreadyExists,    // 409, reason AlreadyExists
  Conflict,         // 409: stale resourceVersion or failed precondition
  Invalid,          // 422: the object failed validation
  BadRequest,       // 400
  Forbidden,        // 403
  Unauthorized,     // 401
  Gone,             // 410 or reason Expired: resourceVersion too old, relist
  TooManyRequests,  // 429
  ServerError,      // 5xx other than 503, and server timeouts
  Unavailable,      // 503, or a transport failure (connect, TLS, reset, timeout)
  Cancelled,        // the caller cancelled the call
  Config,           // bad kubeconfig / in-cluster files / TLS material
  Decode,           // the server sent something that is not what the API promises
  Other,            // any other HTTP status
};

const char* to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::Other;
  int http_code = 0;       // 0 when no HTTP response was received
  std::string reason;      // Status.reason, e.g. "AlreadyExists"
  std::string message;     // Status.message or a description of the failure
  // Server-requested wait (Retry-After header or Status.details.retryAfterSeconds).
  std::optional<std::chrono::seconds> retry_after;

  // "Conflict (409 Conflict): message" - safe to log, never holds secrets.
  std::string to_string() const;

  // True for the kinds a client should retry with backoff: 429, 5xx, transport.
  bool is_retryable() const;

  bool is(ErrorKind k) const { return kind == k; }
};

// Decodes an error response. `body` is the response text; when it is a
// metav1.Status its reason/message/details are used, otherwise the HTTP code
// alone decides the kind and the (truncated) body becomes the message.
Error error_from_response(int http_code, const std::string& body,
                          std::optional<std::chrono::seconds> retry_after_header = std::nullopt);

// Decodes a metav1.Status object (as found in watch ERROR events).
Error error_from_status(const web::json::value& status);

// Parses a Retry-After header holding delta-seconds (HTTP dates are ignored).
std::optional<std::chrono::seconds> parse_retry_after(const std::string& header);

Error transport_error(const std::string& message);
Error config_error(const std::string& message);
Error decode_error(const std::string& message);

}  // namespace sluice::kube

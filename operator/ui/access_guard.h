// Who may use the web view, decided before any handler runs. Pure apart
// from the random secrets it is constructed with.
//
// Local mode (kubectl sluice ui): the server binds a loopback address and
// the caller's kubeconfig is the identity, so the guard's job is to keep
// other local users, other browser tabs and other web sites out:
//   - a random one-time token in the printed URL is exchanged, once, for an
//     HttpOnly SameSite=Strict session cookie (then the URL is worthless);
//   - every other request needs that cookie (401 otherwise);
//   - the Host header must name the loopback address we bound (a DNS
//     rebinding page on evil.example resolving to 127.0.0.1 is refused);
//   - every write needs the CSRF token the page reads from /api/session
//     (in a header no cross-site form can set) and, when the browser sends
//     Origin, our own origin.
// In-cluster mode (sluice-ui in the chart): an authenticating proxy in front
// passes the user's bearer token, which the server forwards to the API
// server (Kubernetes RBAC decides); requests without one get 401. Writes need
// the CSRF token too. (Whether writes are enabled at all is the API's
// read-only switch: a plan preview is a POST that writes nothing.)
#pragma once

#include <optional>
#include <set>
#include <string>

#include "ui/http_types.h"

namespace sluice::ui {

enum class UiMode { Local, InCluster };

struct GuardSettings {
  UiMode mode = UiMode::Local;
  std::set<std::string> allowedHosts;  // Host header values; empty = any (in-cluster behind an Ingress)
  // Browsers scope cookies by host, not port: each local server names its
  // cookie after its port, so two of them do not overwrite each other's.
  std::string cookieName = "sluice_ui_session";
};

struct Secrets {
  std::string loginToken;  // in the printed URL, good for one exchange
  std::string sessionId;   // the cookie's value
  std::string csrfToken;   // sent by the page in X-Sluice-CSRF on writes
};

// 32 random bytes from the OS, hex-encoded. Throws when the OS has none.
std::string randomHex();
Secrets newSecrets();

// Equal strings, compared in time independent of where they differ.
bool constantTimeEquals(const std::string& a, const std::string& b);

inline constexpr const char* kCsrfHeader = "x-sluice-csrf";

class AccessGuard {
 public:
  AccessGuard(GuardSettings settings, Secrets secrets) : settings_(std::move(settings)), secrets_(std::move(secrets)) {}

  // A response that ends the request (refusal, or the token exchange's
  // redirect), or nullopt when the request may go on to the handlers.
  // Not thread-safe by itself: the server calls it under its lock.
  std::optional<HttpResponse> admit(const HttpRequest& request);

  // The bearer token to forward (in-cluster mode), "" otherwise.
  static std::string bearerToken(const HttpRequest& request);

  // The CSRF token the page must echo: the session's in local mode, one
  // derived from the user's bearer token in-cluster.
  std::string csrfTokenFor(const HttpRequest& request) const;

  // Local mode, once the port is known: the Host values this server answers
  // to, and its cookie's name.
  void bound(std::set<std::string> hosts, std::string cookieName) {
    settings_.allowedHosts = std::move(hosts);
    settings_.cookieName = std::move(cookieName);
  }

  const Secrets& secrets() const { return secrets_; }
  const GuardSettings& settings() const { return settings_; }

 private:
  std::optional<HttpResponse> checkWrite(const HttpRequest& request) const;
  bool hasSessionCookie(const HttpRequest& request) const;

  GuardSettings settings_;
  Secrets secrets_;
  bool tokenUsed_ = false;
};

// The value of one cookie in a Cookie header ("" when absent).
std::string cookieValue(const std::string& cookieHeader, const std::string& name);

}  // namespace sluice::ui

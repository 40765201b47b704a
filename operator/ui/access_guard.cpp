#include "ui/access_guard.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace sluice::ui {

namespace {

std::string hex(const unsigned char* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 15]);
  }
  return out;
}

}  // namespace

std::string randomHex() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes from the OS for the UI's secrets");
  return hex(bytes, sizeof bytes);
}

Secrets newSecrets() { return Secrets{randomHex(), randomHex(), randomHex()}; }

bool constantTimeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string cookieValue(const std::string& cookieHeader, const std::string& name) {
  size_t start = 0;
  while (start < cookieHeader.size()) {
    size_t end = cookieHeader.find(';', start);
    if (end == std::string::npos) end = cookieHeader.size();
    std::string pair = cookieHeader.substr(start, end - start);
    const auto first = pair.find_first_not_of(' ');
    pair = first == std::string::npos ? "" : pair.substr(first);
    const auto eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    start = end + 1;
  }
  return "";
}

std::string AccessGuard::bearerToken(const HttpRequest& request) {
  const std::string h = request.header("authorization");
  const std::string prefix = "Bearer ";
  if (h.size() <= prefix.size() || h.compare(0, prefix.size(), prefix) != 0) return "";
  return h.substr(prefix.size());
}

std::string AccessGuard::csrfTokenFor(const HttpRequest& request) const {
  if (settings_.mode == UiMode::Local) return secrets_.csrfToken;
  // Per user: a token read by one signed-in user must not forge another's writes.
  const std::string bearer = bearerToken(request);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secrets_.csrfToken.data(), static_cast<int>(secrets_.csrfToken.size()),
       reinterpret_cast<const unsigned char*>(bearer.data()), bearer.size(), mac, &len);
  return hex(mac, len);
}

bool AccessGuard::hasSessionCookie(const HttpRequest& request) const {
  return constantTimeEquals(cookieValue(request.header("cookie"), settings_.cookieName), secrets_.sessionId);
}

std::optional<HttpResponse> AccessGuard::admit(const HttpRequest& request) {
  if (!settings_.allowedHosts.empty() && !settings_.allowedHosts.count(request.header("host")))
    return errorResponse(403, "Host '" + request.header("host") + "' is not this server's address");

  if (settings_.mode == UiMode::InCluster) {
    if (bearerToken(request).empty())
      return errorResponse(401, "no bearer token: sign in through the authenticating proxy in front of sluice-ui");
    return checkWrite(request);
  }

  // The one exchange of the printed URL's token for the session cookie;
  // the redirect drops the token from the address bar and history.
  const auto token = request.query.find("token");
  if (request.method == "GET" && request.path == "/" && token != request.query.end()) {
    if (tokenUsed_ || !constantTimeEquals(token->second, secrets_.loginToken))
      return errorResponse(401, "this link's token is not valid (it works once): run `kubectl sluice ui` again");
    tokenUsed_ = true;
    HttpResponse r;
    r.status = 303;
    r.contentType = "text/plain";
    r.body = "signed in\n";
    r.headers.emplace_back("Location", "/");
    r.headers.emplace_back("Set-Cookie", settings_.cookieName + "=" + secrets_.sessionId +
                                             "; Path=/; HttpOnly; SameSite=Strict");
    return r;
  }
  if (!hasSessionCookie(request))
    return errorResponse(401, "not signed in: open the URL `kubectl sluice ui` printed (its token works once)");
  return checkWrite(request);
}

std::optional<HttpResponse> AccessGuard::checkWrite(const HttpRequest& request) const {
  if (request.method == "GET" || request.method == "HEAD") return std::nullopt;
  if (request.method != "POST") return errorResponse(405, "method " + request.method + " is not allowed");
  const std::string origin = request.header("origin");
  if (!origin.empty()) {
    bool ours = false;
    if (settings_.mode == UiMode::Local) {
      ours = origin == "http://" + request.header("host");
    } else {
      // Behind an authenticating proxy: https, and the proxy may rewrite
      // Host, so the origin's host must be the one the request names.
      const auto scheme = origin.find("://");
      const std::string host = scheme == std::string::npos ? "" : origin.substr(scheme + 3);
      ours = !host.empty() && (host == request.header("host") || host == request.header("x-forwarded-host"));
    }
    if (!ours) return errorResponse(403, "cross-origin write refused: Origin '" + origin + "' is not this server");
  }
  if (!constantTimeEquals(request.header(kCsrfHeader), csrfTokenFor(request)))
    return errorResponse(403, "missing or wrong X-Sluice-CSRF header: reload the page");
  return std::nullopt;
}

}  // namespace sluice::ui

// Who gets in: the one-time login token, the session cookie, the Host
// check against DNS rebinding, CSRF and Origin on writes, bearer tokens
// in-cluster.
#include <gtest/gtest.h>

#include "ui/access_guard.h"

namespace sluice::ui {
namespace {

HttpRequest get(const std::string& path, const std::string& cookie = "") {
  HttpRequest r;
  r.method = "GET";
  splitTarget(path, r.path, r.query);
  r.headers["host"] = "127.0.0.1:8123";
  if (!cookie.empty()) r.headers["cookie"] = cookie;
  return r;
}

AccessGuard localGuard() {
  GuardSettings s;
  s.allowedHosts = {"127.0.0.1:8123", "localhost:8123"};
  return AccessGuard(s, Secrets{"login-token", "session-id", "csrf-token"});
}

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(AccessGuard, TheLoginTokenIsExchangedOnceForAnHttpOnlyStrictCookie) {
  AccessGuard g = localGuard();
  auto first = g.admit(get("/?token=login-token"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 303);
  EXPECT_EQ(header(*first, "Location"), "/");
  EXPECT_EQ(header(*first, "Set-Cookie"), "sluice_ui_session=session-id; Path=/; HttpOnly; SameSite=Strict");
  // Once bound, the cookie carries the port in its name.
  g.bound({"127.0.0.1:8123"}, "sluice_ui_session_8123");
  EXPECT_EQ(g.admit(get("/api/session", "sluice_ui_session=session-id"))->status, 401);
  EXPECT_FALSE(g.admit(get("/api/session", "sluice_ui_session_8123=session-id")));
  auto again = g.admit(get("/?token=login-token"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 401);
  EXPECT_NE(again->body.find("works once"), std::string::npos);
}

TEST(AccessGuard, AWrongTokenIsRefusedAndDoesNotUseUpTheRightOne) {
  AccessGuard g = localGuard();
  EXPECT_EQ(g.admit(get("/?token=guess"))->status, 401);
  EXPECT_EQ(g.admit(get("/?token="))->status, 401);
  EXPECT_EQ(g.admit(get("/?token=login-token"))->status, 303);
}

TEST(AccessGuard, EveryOtherRequestNeedsTheSessionCookie) {
  AccessGuard g = localGuard();
  EXPECT_EQ(g.admit(get("/api/session"))->status, 401);
  EXPECT_EQ(g.admit(get("/"))->status, 401);
  EXPECT_EQ(g.admit(get("/app.js", "sluice_ui_session=wrong"))->status, 401);
  EXPECT_FALSE(g.admit(get("/api/session", "theme=dark; sluice_ui_session=session-id")));
}

TEST(AccessGuard, AForeignHostHeaderIsRefusedEvenWithTheCookie) {
  AccessGuard g = localGuard();
  HttpRequest r = get("/api/session", "sluice_ui_session=session-id");
  r.headers["host"] = "evil.example:8123";  // DNS rebinding: evil.example resolves to 127.0.0.1
  auto refused = g.admit(r);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  r.headers["host"] = "localhost:8123";
  EXPECT_FALSE(g.admit(r));
}

TEST(AccessGuard, WritesNeedTheCsrfHeaderAndOurOrigin) {
  AccessGuard g = localGuard();
  HttpRequest post = get("/api/namespaces/ml/executions", "sluice_ui_session=session-id");
  post.method = "POST";
  EXPECT_EQ(g.admit(post)->status, 403);  // no CSRF header
  post.headers["x-sluice-csrf"] = "csrf-wrong";
  EXPECT_EQ(g.admit(post)->status, 403);
  post.headers["x-sluice-csrf"] = "csrf-token";
  EXPECT_FALSE(g.admit(post));
  post.headers["origin"] = "https://evil.example";
  auto refused = g.admit(post);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("cross-origin"), std::string::npos);
  post.headers["origin"] = "http://127.0.0.1:8123";
  EXPECT_FALSE(g.admit(post));
  post.method = "DELETE";
  EXPECT_EQ(g.admit(post)->status, 405);
}

TEST(AccessGuard, InClusterEveryRequestNeedsABearerTokenAndCsrfIsPerUser) {
  GuardSettings s;
  s.mode = UiMode::InCluster;
  AccessGuard g(s, Secrets{"", "", "server-secret"});
  HttpRequest r = get("/api/session");
  EXPECT_EQ(g.admit(r)->status, 401);
  r.headers["authorization"] = "Basic dXNlcjpwdw==";
  EXPECT_EQ(g.admit(r)->status, 401);
  r.headers["authorization"] = "Bearer alice-token";
  EXPECT_FALSE(g.admit(r));
  EXPECT_EQ(AccessGuard::bearerToken(r), "alice-token");

  HttpRequest bob = r;
  bob.headers["authorization"] = "Bearer bob-token";
  const std::string alice = g.csrfTokenFor(r);
  EXPECT_EQ(alice.size(), 64u);
  EXPECT_NE(alice, g.csrfTokenFor(bob));
  EXPECT_EQ(alice, g.csrfTokenFor(r));
  HttpRequest forged = bob;
  forged.method = "POST";
  forged.headers["x-sluice-csrf"] = alice;  // a token read by Alice does not work for Bob
  EXPECT_EQ(g.admit(forged)->status, 403);
  forged.headers["x-sluice-csrf"] = g.csrfTokenFor(bob);
  EXPECT_FALSE(g.admit(forged));
  // Behind a TLS proxy the page's Origin is https, and the proxy may rewrite Host.
  forged.headers["origin"] = "https://127.0.0.1:8123";
  EXPECT_FALSE(g.admit(forged));
  forged.headers["host"] = "sluice-ui.ml.svc:8080";
  forged.headers["x-forwarded-host"] = "ui.example";
  forged.headers["origin"] = "https://ui.example";
  EXPECT_FALSE(g.admit(forged));
  forged.headers["origin"] = "https://evil.example";
  EXPECT_EQ(g.admit(forged)->status, 403);
}

TEST(AccessGuard, SecretsAreRandomAndComparedWhole) {
  const Secrets a = newSecrets(), b = newSecrets();
  EXPECT_EQ(a.loginToken.size(), 64u);
  EXPECT_NE(a.loginToken, b.loginToken);
  EXPECT_NE(a.sessionId, a.csrfToken);
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(constantTimeEquals("", ""));  // an unset secret never matches
}

TEST(HttpTypes, TargetsAreSplitAndDecoded) {
  std::string path;
  std::map<std::string, std::string> q;
  ASSERT_TRUE(splitTarget("/api/namespaces/ml/executions?phase=Succeeded&pipeline=aba%6Cone&x=a+b&flag", path, q));
  EXPECT_EQ(path, "/api/namespaces/ml/executions");
  EXPECT_EQ(q["phase"], "Succeeded");
  EXPECT_EQ(q["pipeline"], "abalone");
  EXPECT_EQ(q["x"], "a b");
  EXPECT_EQ(q.count("flag"), 1u);
  EXPECT_FALSE(splitTarget("/a%zz", path, q));
  EXPECT_FALSE(splitTarget("/a?b=%4", path, q));
  EXPECT_EQ(pathSegments("//api/x/"), (std::vector<std::string>{"api", "x"}));
  EXPECT_EQ(cookieValue("a=1; sluice_ui_session=s; b=2", "sluice_ui_session"), "s");
  EXPECT_EQ(cookieValue("a=1", "sluice_ui_session"), "");
}

}  // namespace
}  // namespace sluice::ui

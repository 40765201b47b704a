// The web view against the real API server with the operator running
// (integration tier; FakeKubelet plays the Job controller and kubelet):
// `kubectl sluice ui` as users run it, its access rules over real sockets,
// and the page in a real headless Chromium doing a selective re-run.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "controller/json_access.h"
#include "kube/config.h"
#include "operator_fixture.h"
#include "process.h"

namespace sluice::testing {
namespace {

using sluice::controller::stringAt;
using web::json::value;
namespace http = boost::beast::http;

struct Reply {
  int status = 0;
  std::string body, setCookie;
};

// One HTTP/1.1 request to 127.0.0.1:port, as a browser or an attacker would send it.
Reply request(unsigned short port, const std::string& method, const std::string& target,
              const std::map<std::string, std::string>& headers = {}, const std::string& body = "") {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{method == "POST" ? http::verb::post : http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  Reply r;
  r.status = res.result_int();
  r.body = res.body();
  r.setCookie = std::string(res[http::field::set_cookie]);
  return r;
}

// True when a TCP connection to address:port succeeds.
bool connects(const std::string& address, unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return ok;
}

class UiTest : public OperatorTest {
 protected:
  // Starts `kubectl sluice ui` in the test namespace; returns the URL it printed.
  std::string startUi(const std::string& logName, std::unique_ptr<Process>& process) {
    process = std::make_unique<Process>(
        std::vector<std::string>{SLUICE_CLI_BIN, "--kubeconfig", kubeconfig_, "-n", ns_, "ui"}, logPath(logName));
    std::string url;
    eventually(
        [&] {
          std::smatch m;
          const std::string log = readFile(logPath(logName));
          if (std::regex_search(log, m, std::regex("http://127\\.0\\.0\\.1:[0-9]+/\\?token=[0-9a-f]{64}"))) url = m.str();
          return !url.empty();
        },
        std::chrono::seconds(20));
    return url;
  }

  static unsigned short portOf(const std::string& url) {
    return static_cast<unsigned short>(std::stoi(url.substr(std::string("http://127.0.0.1:").size())));
  }

  std::string firstRun() {
    std::string out;
    const int rc = runCommand({SLUICE_CLI_BIN, "--kubeconfig", kubeconfig_, "-n", ns_, "start", "abalone", "-o", "name",
                               "--wait", "--timeout", "90s"},
                              &out);
    EXPECT_EQ(rc, 0) << out;
    const std::string prefix = "pipelineexecution.sluice.dev/";
    const auto at = out.find(prefix);
    return at == std::string::npos ? "" : out.substr(at + prefix.size(), out.find('\n', at) - at - prefix.size());
  }

  void startAbalone() {
    startOperator();
    startKubelet([](const std::string& step) {
      StepBehaviour b;
      if (step == "Evaluate") b.properties["mse"] = "4.37";
      return b;
    });
    apply(readFile(SLUICE_SOURCE_DIR "/examples/abalone/pipeline.yaml"));
  }
};

TEST_F(UiTest, OnlyTheTokenHolderGetsInAndWritesNeedCsrfFromOurOrigin) {
  startAbalone();
  std::unique_ptr<Process> ui;
  const std::string url = startUi("ui-security", ui);
  ASSERT_FALSE(url.empty()) << readFile(logPath("ui-security"));
  const unsigned short port = portOf(url);

  // Nothing listens beyond 127.0.0.1: another loopback address is refused.
  EXPECT_TRUE(connects("127.0.0.1", port));
  EXPECT_FALSE(connects("127.0.0.2", port));

  // No token, or a wrong one: 401, and the API says nothing.
  EXPECT_EQ(request(port, "GET", "/api/session").status, 401);
  EXPECT_EQ(request(port, "GET", "/api/namespaces/" + ns_ + "/pipelines").status, 401);
  EXPECT_EQ(request(port, "GET", "/").status, 401);
  EXPECT_EQ(request(port, "GET", "/?token=" + std::string(64, 'a')).status, 401);

  // The token, once: a session cookie.
  const std::string target = url.substr(url.find('/', std::string("http://").size()));
  Reply signIn = request(port, "GET", target);
  ASSERT_EQ(signIn.status, 303);
  ASSERT_NE(signIn.setCookie.find("HttpOnly"), std::string::npos);
  const std::string cookie = signIn.setCookie.substr(0, signIn.setCookie.find(';'));
  EXPECT_EQ(request(port, "GET", target).status, 401) << "the token works once";

  Reply session = request(port, "GET", "/api/session", {{"Cookie", cookie}});
  ASSERT_EQ(session.status, 200) << session.body;
  const std::string csrf = value::parse(session.body).at("csrfToken").as_string();
  Reply pipelines = request(port, "GET", "/api/namespaces/" + ns_ + "/pipelines", {{"Cookie", cookie}});
  ASSERT_EQ(pipelines.status, 200) << pipelines.body;
  EXPECT_EQ(value::parse(pipelines.body).at("items").at(0).at("name").as_string(), "abalone");

  // A DNS-rebinding page: our cookie would not even be sent, but the Host check stands alone.
  EXPECT_EQ(request(port, "GET", "/api/session", {{"Cookie", cookie}, {"Host", "evil.example:" + std::to_string(port)}}).status, 403);

  // Writes: without the CSRF header, and cross-origin with it, refused; nothing created.
  const std::string body = R"({"pipeline":"abalone"})";
  const std::string start = "/api/namespaces/" + ns_ + "/executions";
  EXPECT_EQ(request(port, "POST", start, {{"Cookie", cookie}, {"Content-Type", "application/json"}}, body).status, 403);
  EXPECT_EQ(request(port, "POST", start,
                    {{"Cookie", cookie}, {"X-Sluice-CSRF", csrf}, {"Origin", "https://evil.example"}, {"Content-Type", "application/json"}},
                    body)
                .status,
            403);
  auto list = client_->list({"sluice.dev", "v1alpha1", "pipelineexecutions", true}, ns_);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 0u);

  // Same origin with the token: the execution is created.
  Reply made = request(port, "POST", start,
                       {{"Cookie", cookie}, {"X-Sluice-CSRF", csrf}, {"Origin", "http://127.0.0.1:" + std::to_string(port)},
                        {"Content-Type", "application/json"}},
                       body);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string name = value::parse(made.body).at("name").as_string();
  EXPECT_EQ(waitTerminal(name), "Succeeded");
}

TEST_F(UiTest, InChromiumSelectTrainAndEvaluateOnTheGraphSeeThePlanStartItAndWatchItSucceed) {
  startAbalone();
  const std::string first = firstRun();
  ASSERT_FALSE(first.empty());
  std::unique_ptr<Process> ui;
  const std::string url = startUi("ui-browser", ui);
  ASSERT_FALSE(url.empty()) << readFile(logPath("ui-browser"));

  const std::string outDir = std::string(SLUICE_TEST_LOG_DIR) + "/" + ns_ + "-screenshots";
  std::filesystem::create_directories(outDir);
  std::string out;
  const int rc = runCommand({SLUICE_NODE_BIN, SLUICE_SOURCE_DIR "/tests/ui/page/ui_browser_test.mjs",
                             SLUICE_SOURCE_DIR "/operator/ui/web", url, first, outDir},
                            &out);
  EXPECT_EQ(rc, 0) << out << "\nscreenshots in " << outDir;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("NEW_EXECUTION=([a-z0-9.-]+)"))) << out;
  const std::string rerun = m[1];

  // What the page started is what the cluster ran: a selective run of
  // Train + Evaluate from the first execution, Preprocess linked, not run.
  const value x = execution(rerun);
  EXPECT_EQ(stringAt(x, {"status", "phase"}), "Succeeded");
  EXPECT_EQ(stringAt(x, {"spec", "selectiveExecution", "sourceExecution"}), first);
  EXPECT_EQ(jobSteps(rerun), (std::vector<std::string>{"Evaluate", "Train"}));
  EXPECT_EQ(stringAt(*stepStatus(x, "Preprocess"), {"reusedFrom", "execution"}), first);
  bool rounds = false;
  for (const auto& p : x.at("spec").at("parameters").as_array())
    rounds = rounds || (stringAt(p, {"name"}) == "XGBNumRounds" && stringAt(p, {"value"}) == "150");
  EXPECT_TRUE(rounds) << x.at("spec").serialize();
  std::ifstream shot(outDir + "/execution.png");
  EXPECT_TRUE(shot.good()) << "no screenshot written";
}

// In-cluster mode (the chart's sluice-ui): no credentials of its own; each
// request's bearer token is forwarded, so the caller's RBAC decides, and
// writes are off unless enabled.
TEST_F(UiTest, InClusterModeActsAsTheCallersOwnTokenAndIsReadOnlyByDefault) {
  startAbalone();
  apply(R"yaml(apiVersion: v1
kind: ServiceAccount
metadata: {name: viewer}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: nobody}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: sluice-viewer}
rules:
- apiGroups: [sluice.dev]
  resources: [pipelines, pipelineexecutions]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer-views}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: sluice-viewer}
subjects:
- {kind: ServiceAccount, name: viewer}
)yaml");
  auto tokenOf = [&](const std::string& sa) {
    value req;
    req["apiVersion"] = value::string("authentication.k8s.io/v1");
    req["kind"] = value::string("TokenRequest");
    req["spec"]["expirationSeconds"] = value::number(600);
    auto r = client_->request(web::http::methods::POST, "/api/v1/namespaces/" + ns_ + "/serviceaccounts/" + sa + "/token", req);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? stringAt(*r, {"status", "token"}) : std::string();
  };
  const std::string viewer = tokenOf("viewer"), nobody = tokenOf("nobody");
  ASSERT_FALSE(viewer.empty());
  ASSERT_FALSE(nobody.empty());

  // The API server's address and CA, as a pod sees them (no token file at all).
  auto config = kube::load_kubeconfig(kubeconfig_);
  ASSERT_TRUE(config.ok());
  const std::string caFile = std::string(SLUICE_TEST_LOG_DIR) + "/" + ns_ + "-ca.crt";
  std::ofstream(caFile) << config->ca_pem;
  const std::string hostPort = config->server.substr(std::string("https://").size());
  const std::string apiPort = hostPort.substr(hostPort.rfind(':') + 1);
  Process ui({"/usr/bin/env", "KUBERNETES_SERVICE_HOST=127.0.0.1", "KUBERNETES_SERVICE_PORT=" + apiPort, SLUICE_UI_BIN,
              "--in-cluster", "--address", "127.0.0.1", "--port", "0", "--namespace", ns_, "--ca-file", caFile},
             logPath("ui-in-cluster"));
  unsigned short port = 0;
  ASSERT_TRUE(eventually(
      [&] {
        std::smatch m;
        const std::string log = readFile(logPath("ui-in-cluster"));
        if (std::regex_search(log, m, std::regex("listening on 127\\.0\\.0\\.1:([0-9]+) \\(read-only\\)")))
          port = static_cast<unsigned short>(std::stoi(m[1]));
        return port != 0;
      },
      std::chrono::seconds(20)))
      << readFile(logPath("ui-in-cluster"));

  const std::string pipelines = "/api/namespaces/" + ns_ + "/pipelines";
  EXPECT_EQ(request(port, "GET", pipelines).status, 401);
  Reply denied = request(port, "GET", pipelines, {{"Authorization", "Bearer " + nobody}});
  EXPECT_EQ(denied.status, 403) << denied.body;  // the API server's answer to that user
  Reply seen = request(port, "GET", pipelines, {{"Authorization", "Bearer " + viewer}});
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(value::parse(seen.body).at("items").at(0).at("name").as_string(), "abalone");

  const std::map<std::string, std::string> asViewer = {{"Authorization", "Bearer " + viewer}};
  Reply session = request(port, "GET", "/api/session", asViewer);
  ASSERT_EQ(session.status, 200);
  EXPECT_TRUE(value::parse(session.body).at("readOnly").as_bool());
  std::map<std::string, std::string> write = asViewer;
  write["X-Sluice-CSRF"] = value::parse(session.body).at("csrfToken").as_string();
  write["Content-Type"] = "application/json";
  Reply plan = request(port, "POST", "/api/namespaces/" + ns_ + "/plan", write, R"({"pipeline":"abalone"})");
  EXPECT_EQ(plan.status, 200) << plan.body;  // a preview writes nothing
  Reply start = request(port, "POST", "/api/namespaces/" + ns_ + "/executions", write, R"({"pipeline":"abalone"})");
  EXPECT_EQ(start.status, 403) << start.body;
  auto list = client_->list({"sluice.dev", "v1alpha1", "pipelineexecutions", true}, ns_);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 0u);
}

}  // namespace
}  // namespace sluice::testing

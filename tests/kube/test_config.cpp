#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <cpprest/asyncrt_utils.h>

#include "kube/config.h"
#include "test_certs.h"

namespace sluice::kube {
namespace {

namespace fs = std::filesystem;

std::string b64(const std::string& s) {
  return utility::conversions::to_base64(std::vector<unsigned char>(s.begin(), s.end()));
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kube-config-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string write(const std::string& name, const std::string& content) const {
    auto p = path_ / name;
    std::ofstream(p) << content;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

const testing::KeyPair kCa = testing::make_self_signed("cluster-ca");
const testing::KeyPair kAdmin = testing::make_self_signed("admin");

// A kubeconfig with two contexts; `user_body` is the YAML mapping of user "u".
std::string kubeconfig(const std::string& user_body, const std::string& cluster_extra = "") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: main\n"
         "clusters:\n"
         "- name: c\n  cluster:\n    server: https://127.0.0.1:6443/\n"
         "    certificate-authority-data: " + b64(kCa.cert_pem) + "\n" + cluster_extra +
         "- name: other\n  cluster:\n    server: https://10.0.0.1\n    insecure-skip-tls-verify: true\n"
         "contexts:\n"
         "- name: main\n  context: {cluster: c, user: u, namespace: team-a}\n"
         "- name: side\n  context: {cluster: other, user: u}\n"
         "users:\n- name: u\n  user:\n" + user_body;
}

TEST(KubeconfigTest, ClientCertificateData) {
  auto r = parse_kubeconfig(kubeconfig("    client-certificate-data: " + b64(kAdmin.cert_pem) +
                                       "\n    client-key-data: " + b64(kAdmin.key_pem) + "\n"),
                            "cfg", "/nowhere");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->server, "https://127.0.0.1:6443");
  EXPECT_EQ(r->ca_pem, kCa.cert_pem);
  EXPECT_EQ(r->client_cert_pem, kAdmin.cert_pem);
  EXPECT_EQ(r->client_key_pem, kAdmin.key_pem);
  EXPECT_EQ(r->namespace_, "team-a");
  EXPECT_FALSE(r->insecure_skip_tls_verify);
  EXPECT_EQ(r->token, nullptr);
}

TEST(KubeconfigTest, ClientCertificateFilesResolveRelativeToKubeconfig) {
  TempDir dir;
  dir.write("admin.crt", kAdmin.cert_pem);
  dir.write("admin.key", kAdmin.key_pem);
  dir.write("ca.crt", kCa.cert_pem);
  std::string text =
      "current-context: x\nclusters:\n- name: c\n  cluster:\n    server: https://h:1\n"
      "    certificate-authority: ca.crt\n"
      "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
      "users:\n- name: u\n  user:\n    client-certificate: admin.crt\n"
      "    client-key: " + dir.path() + "/admin.key\n";
  auto path = dir.write("config", text);
  auto r = load_kubeconfig(path);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->ca_pem, kCa.cert_pem);
  EXPECT_EQ(r->client_cert_pem, kAdmin.cert_pem);
  EXPECT_EQ(r->client_key_pem, kAdmin.key_pem);
  EXPECT_EQ(r->namespace_, "default");
}

TEST(KubeconfigTest, StaticToken) {
  auto r = parse_kubeconfig(kubeconfig("    token: abc.def\n"), "cfg", "/");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_NE(r->token, nullptr);
  EXPECT_EQ(*r->token->token(), "abc.def");
}

TEST(KubeconfigTest, TokenFileIsReReadAfterAMinute) {
  TempDir dir;
  dir.write("token", "first\n");
  auto clock = std::make_shared<FakeClock>();
  auto r = parse_kubeconfig(kubeconfig("    tokenFile: token\n"), "cfg", dir.path(), "", clock);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_NE(r->token, nullptr);
  EXPECT_EQ(*r->token->token(), "first");
  dir.write("token", "second");
  clock->advance(std::chrono::seconds(30));
  EXPECT_EQ(*r->token->token(), "first");
  clock->advance(std::chrono::seconds(31));
  EXPECT_EQ(*r->token->token(), "second");
  // A vanished file keeps the last good token rather than failing requests.
  fs::remove(dir.path() + "/token");
  clock->advance(std::chrono::minutes(2));
  EXPECT_EQ(*r->token->token(), "second");
}

TEST(KubeconfigTest, NamedContextOverridesCurrent) {
  auto r = parse_kubeconfig(kubeconfig("    token: t\n"), "cfg", "/", "side");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->server, "https://10.0.0.1");
  EXPECT_TRUE(r->insecure_skip_tls_verify);
  EXPECT_TRUE(r->ca_pem.empty());
  EXPECT_EQ(r->namespace_, "default");
}

struct MalformedCase {
  const char* name;
  std::string text;
  std::string field;  // must appear in the message
};

void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.name; }


class MalformedKubeconfigTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedKubeconfigTest, ErrorNamesFileAndField) {
  const auto& c = GetParam();
  auto r = parse_kubeconfig(c.text, "/home/me/.kube/config", "/nonexistent-dir");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Config);
  const auto& msg = r.error().message;
  EXPECT_NE(msg.find("/home/me/.kube/config"), std::string::npos) << msg;
  EXPECT_NE(msg.find(c.field), std::string::npos) << msg;
}

std::string minimal(const std::string& cluster, const std::string& user = "    token: t\n") {
  return "current-context: x\nclusters:\n- name: c\n  cluster:\n" + cluster +
         "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
         "users:\n- name: u\n  user:\n" + user;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedKubeconfigTest,
    ::testing::Values(
        MalformedCase{"NotYaml", "clusters: [unclosed", "not valid YAML at line"},
        MalformedCase{"NotAMapping", "- a\n- b\n", "top level"},
        MalformedCase{"NoCurrentContext", "clusters: []\n", "current-context"},
        MalformedCase{"UnknownContext", "current-context: nope\ncontexts: []\n", "contexts"},
        MalformedCase{"ContextsNotAList", "current-context: x\ncontexts: {a: b}\n", "contexts"},
        MalformedCase{"ContextWithoutCluster",
                      "current-context: x\ncontexts:\n- name: x\n  context: {user: u}\n",
                      "contexts[x].context.cluster"},
        MalformedCase{"UnknownCluster",
                      "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters: []\n",
                      "clusters"},
        MalformedCase{"MissingServer", minimal("    insecure-skip-tls-verify: true\n"),
                      "clusters[c].cluster.server"},
        MalformedCase{"ServerNotUrl", minimal("    server: 127.0.0.1:6443\n"),
                      "clusters[c].cluster.server"},
        MalformedCase{"BadCaBase64",
                      minimal("    server: https://h\n    certificate-authority-data: '!!!'\n"),
                      "clusters[c].cluster.certificate-authority-data"},
        MalformedCase{"CaDataNotPem",
                      minimal("    server: https://h\n    certificate-authority-data: " +
                              b64("hello") + "\n"),
                      "clusters[c].cluster.certificate-authority-data"},
        MalformedCase{"MissingCaFile",
                      minimal("    server: https://h\n    certificate-authority: ca.pem\n"),
                      "clusters[c].cluster.certificate-authority"},
        MalformedCase{"InsecureWithCa",
                      minimal("    server: https://h\n    insecure-skip-tls-verify: true\n"
                              "    certificate-authority-data: " + b64(kCa.cert_pem) + "\n"),
                      "insecure-skip-tls-verify"},
        MalformedCase{"InsecureNotBool",
                      minimal("    server: https://h\n    insecure-skip-tls-verify: maybe\n"),
                      "clusters[c].cluster.insecure-skip-tls-verify"},
        MalformedCase{"CertWithoutKey",
                      minimal("    server: https://h\n",
                              "    client-certificate-data: " + b64(kAdmin.cert_pem) + "\n"),
                      "users[u].user"},
        MalformedCase{"BadKeyBase64",
                      minimal("    server: https://h\n",
                              "    client-certificate-data: " + b64(kAdmin.cert_pem) +
                                  "\n    client-key-data: '%%'\n"),
                      "users[u].user.client-key-data"},
        MalformedCase{"TokenNotString", minimal("    server: https://h\n", "    token: {a: b}\n"),
                      "users[u].user.token"},
        MalformedCase{"MissingTokenFile",
                      minimal("    server: https://h\n", "    tokenFile: /nonexistent/token\n"),
                      "users[u].user.tokenFile"},
        MalformedCase{"ExecUnsupported",
                      minimal("    server: https://h\n", "    exec: {command: aws}\n"),
                      "users[u].user.exec"},
        MalformedCase{"UnknownUser",
                      "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://h'}\n"
                      "contexts:\n- name: x\n  context: {cluster: c, user: ghost}\nusers: []\n",
                      "users"}),
    [](const ::testing::TestParamInfo<MalformedCase>& info) { return info.param.name; });

TEST(KubeconfigTest, MissingFileNamesThePath) {
  auto r = load_kubeconfig("/nonexistent/kubeconfig");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent/kubeconfig"), std::string::npos);
}

TEST(InClusterConfigTest, ReadsServiceAccountMount) {
  TempDir dir;
  dir.write("ca.crt", kCa.cert_pem);
  dir.write("token", "sa-token-1\n");
  dir.write("namespace", "sluice-system");
  auto clock = std::make_shared<FakeClock>();
  auto r = in_cluster_config({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                              {"KUBERNETES_SERVICE_PORT", "443"}},
                             dir.path(), clock);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->server, "https://10.96.0.1:443");
  EXPECT_EQ(r->ca_pem, kCa.cert_pem);
  EXPECT_EQ(r->namespace_, "sluice-system");
  EXPECT_EQ(*r->token->token(), "sa-token-1");
  dir.write("token", "sa-token-2\n");
  clock->advance(std::chrono::seconds(61));
  EXPECT_EQ(*r->token->token(), "sa-token-2");
}

TEST(InClusterConfigTest, Ipv6HostIsBracketed) {
  TempDir dir;
  dir.write("ca.crt", kCa.cert_pem);
  dir.write("token", "t");
  auto r = in_cluster_config({{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "443"}},
                             dir.path());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->server, "https://[fd00::1]:443");
  EXPECT_EQ(r->namespace_, "default");
}

TEST(InClusterConfigTest, Failures) {
  TempDir dir;
  auto no_env = in_cluster_config({}, dir.path());
  ASSERT_FALSE(no_env.ok());
  EXPECT_NE(no_env.error().message.find("KUBERNETES_SERVICE_HOST"), std::string::npos);

  std::map<std::string, std::string> env{{"KUBERNETES_SERVICE_HOST", "h"},
                                         {"KUBERNETES_SERVICE_PORT", "1"}};
  auto no_ca = in_cluster_config(env, dir.path());
  ASSERT_FALSE(no_ca.ok());
  EXPECT_NE(no_ca.error().message.find("ca.crt"), std::string::npos);

  dir.write("ca.crt", kCa.cert_pem);
  auto no_token = in_cluster_config(env, dir.path());
  ASSERT_FALSE(no_token.ok());
  EXPECT_NE(no_token.error().message.find("token"), std::string::npos);
}

}  // namespace
}  // namespace sluice::kube

// Where the CLI finds its cluster: --kubeconfig, a merged $KUBECONFIG list,
// ~/.kube/config, in-cluster; --context.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/kubeconfig.h"

namespace sluice::cli {
namespace {

std::string kubeconfig(const std::string& current, const std::string& cluster, const std::string& server,
                       const std::string& user, const std::string& token, const std::string& ns = "") {
  std::string y = "apiVersion: v1\nkind: Config\n";
  if (!current.empty()) y += "current-context: " + current + "\n";
  y += "clusters:\n- name: " + cluster + "\n  cluster: {server: \"" + server + "\"}\n";
  y += "users:\n- name: " + user + "\n  user: {token: " + token + "}\n";
  y += "contexts:\n- name: " + current + "\n  context: {cluster: " + cluster + ", user: " + user +
       (ns.empty() ? "" : ", namespace: " + ns) + "}\n";
  return y;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/sluice-cli-kc-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ + "/" + name) << text;
    return path_ + "/" + name;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Kubeconfig, ExplicitFileWinsOverKubeconfigVariable) {
  TempDir d;
  const auto a = d.write("a", kubeconfig("a-ctx", "ca", "https://127.0.0.1:1001", "ua", "ta"));
  const auto b = d.write("b", kubeconfig("b-ctx", "cb", "https://127.0.0.1:1002", "ub", "tb"));
  auto c = resolveConfig(a, "", {{"KUBECONFIG", b}});
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->server, "https://127.0.0.1:1001");
}

TEST(Kubeconfig, AMergedListTakesTheFirstCurrentContextAndTheFirstDefinitionOfEachName) {
  TempDir d;
  // Both files define cluster "shared"; the first definition wins.
  const auto first = d.write("first", kubeconfig("one-ctx", "shared", "https://127.0.0.1:2001", "u1", "t1", "ml"));
  const auto second = d.write("second", kubeconfig("two-ctx", "shared", "https://127.0.0.1:2002", "u2", "t2"));
  auto c = resolveConfig("", "", {{"KUBECONFIG", first + ":" + d.path() + "/missing:" + second}});
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->server, "https://127.0.0.1:2001");
  EXPECT_EQ(c->namespace_, "ml");
  // The second file's context is reachable with --context, but its cluster
  // name resolves to the first file's definition, as kubectl does.
  auto two = resolveConfig("", "two-ctx", {{"KUBECONFIG", first + ":" + second}});
  ASSERT_TRUE(two.ok()) << two.error().to_string();
  EXPECT_EQ(two->server, "https://127.0.0.1:2001");
  ASSERT_TRUE(two->token);
  EXPECT_EQ(two->namespace_, "default");
}

TEST(Kubeconfig, RelativePathsResolveAgainstTheFileThatHoldsThem) {
  TempDir d;
  std::filesystem::create_directories(d.path() + "/sub");
  d.write("sub/token", "secret-token\n");
  const std::string withFile =
      "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: \"https://127.0.0.1:3001\"}\n"
      "users:\n- name: u\n  user: {tokenFile: token}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n";
  const auto a = d.write("sub/config", withFile);
  const auto b = d.write("other", kubeconfig("x-ctx", "kx", "https://127.0.0.1:3002", "ux", "tx"));
  auto c = resolveConfig("", "", {{"KUBECONFIG", a + ":" + b}});
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ASSERT_TRUE(c->token);
  auto t = c->token->token();
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(*t, "secret-token");
}

TEST(Kubeconfig, HomeConfigWhenNoVariableAndInClusterLast) {
  TempDir d;
  std::filesystem::create_directories(d.path() + "/.kube");
  d.write(".kube/config", kubeconfig("h-ctx", "kh", "https://127.0.0.1:4001", "uh", "th"));
  auto c = resolveConfig("", "", {{"HOME", d.path()}, {"KUBERNETES_SERVICE_HOST", "10.0.0.1"}});
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->server, "https://127.0.0.1:4001");

  // No kubeconfig but KUBERNETES_SERVICE_HOST: the in-cluster service
  // account is used (its files are absent here, so that is what it says).
  auto inCluster = resolveConfig("", "", {{"HOME", d.path() + "/nowhere"}, {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                          {"KUBERNETES_SERVICE_PORT", "443"}});
  ASSERT_FALSE(inCluster.ok());
  EXPECT_NE(inCluster.error().message.find("/var/run/secrets/kubernetes.io/serviceaccount"), std::string::npos)
      << inCluster.error().message;
  auto inClusterContext = resolveConfig("", "dev", {{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}});
  ASSERT_FALSE(inClusterContext.ok());
  EXPECT_EQ(inClusterContext.error().message, "--context dev: there is no kubeconfig, only the in-cluster service account");

  // No kubeconfig anywhere and not in a cluster: one clear sentence.
  auto none = resolveConfig("", "", {{"HOME", d.path() + "/nowhere"}});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "no kubeconfig: give --kubeconfig, set $KUBECONFIG, or create ~/.kube/config");
}

TEST(Kubeconfig, ErrorsNameTheFileAndTheContext) {
  TempDir d;
  const auto a = d.write("a", kubeconfig("a-ctx", "ca", "https://127.0.0.1:1001", "ua", "ta"));
  auto missing = resolveConfig(a, "nope", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(a), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos) << missing.error().message;
  auto unreadable = resolveConfig(d.path() + "/absent", "", {});
  ASSERT_FALSE(unreadable.ok());
  EXPECT_EQ(unreadable.error().message, "kubeconfig " + d.path() + "/absent: cannot read the file");
  const auto broken = d.write("broken", "clusters: [\n");
  auto bad = mergeKubeconfigs({{a, kubeconfig("a-ctx", "ca", "https://127.0.0.1:1", "ua", "ta")}, {broken, "clusters: [\n"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(broken), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace sluice::cli

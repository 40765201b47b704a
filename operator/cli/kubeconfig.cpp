#include "cli/kubeconfig.h"

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace sluice::cli {

namespace {

bool readFile(const std::string& path, std::string& text) {
  std::ifstream f(path);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  text = ss.str();
  return true;
}

std::string dirOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

// Paths in a merged document no longer sit beside their file: make them absolute.
void absolutize(YAML::Node node, const char* key, const std::string& dir) {
  YAML::Node v = node[key];
  if (!v || !v.IsScalar()) return;
  const std::string p = v.Scalar();
  if (!p.empty() && p[0] != '/') node[key] = dir + "/" + p;
}

}  // namespace

kube::Result<std::string> mergeKubeconfigs(const std::vector<KubeconfigFile>& files) {
  YAML::Node merged;
  merged["apiVersion"] = "v1";
  merged["kind"] = "Config";
  std::string current;
  std::map<std::string, std::set<std::string>> seen;  // section -> names taken
  std::map<std::string, YAML::Node> sections;
  for (const char* s : {"clusters", "users", "contexts"}) sections[s] = YAML::Node(YAML::NodeType::Sequence);
  for (const auto& f : files) {
    YAML::Node root;
    try {
      root = YAML::Load(f.text);
    } catch (const YAML::Exception& e) {
      return kube::config_error("kubeconfig " + f.path + ": not valid YAML at line " +
                                std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (root.IsNull()) continue;  // an empty file merges as nothing, like kubectl
    if (!root.IsMap()) return kube::config_error("kubeconfig " + f.path + ": not a kubeconfig (top level is not a mapping)");
    if (current.empty() && root["current-context"] && root["current-context"].IsScalar())
      current = root["current-context"].Scalar();
    const std::string dir = dirOf(f.path);
    for (const char* section : {"clusters", "users", "contexts"}) {
      YAML::Node list = root[section];
      if (!list) continue;
      if (!list.IsSequence()) return kube::config_error("kubeconfig " + f.path + ": " + section + ": must be a list");
      for (YAML::Node entry : list) {
        if (!entry.IsMap() || !entry["name"] || !entry["name"].IsScalar()) continue;  // the reader reports it
        const std::string name = entry["name"].Scalar();
        if (!seen[section].insert(name).second) continue;  // first definition wins
        YAML::Node copy = YAML::Clone(entry);
        if (std::string(section) == "clusters" && copy["cluster"]) absolutize(copy["cluster"], "certificate-authority", dir);
        if (std::string(section) == "users" && copy["user"]) {
          for (const char* k : {"client-certificate", "client-key", "tokenFile"}) absolutize(copy["user"], k, dir);
        }
        sections[section].push_back(copy);
      }
    }
  }
  if (!current.empty()) merged["current-context"] = current;
  for (const char* s : {"clusters", "users", "contexts"}) merged[s] = sections[s];
  YAML::Emitter out;
  out << merged;
  return std::string(out.c_str());
}

kube::Result<kube::Config> resolveConfig(const std::string& explicitPath, const std::string& context,
                                         const Environment& env) {
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  if (!explicitPath.empty()) {
    std::string text;
    if (!readFile(explicitPath, text)) return kube::config_error("kubeconfig " + explicitPath + ": cannot read the file");
    return kube::parse_kubeconfig(text, explicitPath, dirOf(explicitPath), context);
  }
  if (const std::string list = get("KUBECONFIG"); !list.empty()) {
    std::vector<KubeconfigFile> files;
    std::stringstream ss(list);
    std::string path;
    while (std::getline(ss, path, ':')) {
      KubeconfigFile f{path, ""};
      if (!path.empty() && readFile(path, f.text)) files.push_back(std::move(f));
    }
    if (files.empty()) return kube::config_error("$KUBECONFIG (" + list + "): none of its files can be read");
    if (files.size() == 1) return kube::parse_kubeconfig(files[0].text, files[0].path, dirOf(files[0].path), context);
    auto merged = mergeKubeconfigs(files);
    if (!merged.ok()) return merged.error();
    return kube::parse_kubeconfig(*merged, "$KUBECONFIG (" + list + ")", "", context);
  }
  if (const std::string home = get("HOME"); !home.empty()) {
    const std::string path = home + "/.kube/config";
    std::string text;
    if (readFile(path, text)) return kube::parse_kubeconfig(text, path, dirOf(path), context);
  }
  if (!get("KUBERNETES_SERVICE_HOST").empty()) {
    if (!context.empty()) return kube::config_error("--context " + context + ": there is no kubeconfig, only the in-cluster service account");
    return kube::in_cluster_config(env);
  }
  return kube::config_error("no kubeconfig: give --kubeconfig, set $KUBECONFIG, or create ~/.kube/config");
}

}  // namespace sluice::cli

#include "kube/config.h"

#include <cstdlib>

#include <cpprest/asyncrt_utils.h>
#include <yaml-cpp/yaml.h>

namespace sluice::kube {
namespace {

// Every error names the file and a field path like "users[admin].user.token".
class KubeconfigReader {
 public:
  KubeconfigReader(std::string source, std::string base_dir, std::shared_ptr<Clock> clock)
      : source_(std::move(source)), base_dir_(std::move(base_dir)), clock_(std::move(clock)) {}

  Result<Config> read(const std::string& text, const std::string& wanted_context) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      return fail("", "not valid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (!root.IsMap()) return fail("", "not a kubeconfig (top level is not a mapping)");

    std::string context_name = wanted_context;
    if (context_name.empty()) {
      auto current = scalar(root, "current-context", "current-context");
      if (!current.ok()) return current.error();
      context_name = *current;
      if (context_name.empty()) return fail("current-context", "not set and no context requested");
    }

    auto context = named_entry(root, "contexts", "context", context_name);
    if (!context.ok()) return context.error();
    std::string ctx_path = "contexts[" + context_name + "].context";

    auto cluster_name = scalar(*context, "cluster", ctx_path + ".cluster");
    if (!cluster_name.ok()) return cluster_name.error();
    if (cluster_name->empty()) return fail(ctx_path + ".cluster", "missing");
    auto user_name = scalar(*context, "user", ctx_path + ".user");
    if (!user_name.ok()) return user_name.error();
    auto ns = scalar(*context, "namespace", ctx_path + ".namespace");
    if (!ns.ok()) return ns.error();

    Config config;
    if (!ns->empty()) config.namespace_ = *ns;

    auto cluster = named_entry(root, "clusters", "cluster", *cluster_name);
    if (!cluster.ok()) return cluster.error();
    if (auto r = read_cluster(*cluster, "clusters[" + *cluster_name + "].cluster", config); !r.ok()) {
      return r.error();
    }

    if (!user_name->empty()) {
      auto user = named_entry(root, "users", "user", *user_name);
      if (!user.ok()) return user.error();
      if (auto r = read_user(*user, "users[" + *user_name + "].user", config); !r.ok()) {
        return r.error();
      }
    }
    return config;
  }

 private:
  Error fail(const std::string& field, const std::string& what) const {
    return config_error("kubeconfig " + source_ + (field.empty() ? "" : ": " + field) + ": " + what);
  }

  // Optional scalar field; absent or null gives "".
  Result<std::string> scalar(const YAML::Node& node, const char* key, const std::string& path) const {
    YAML::Node v = node[key];
    if (!v || v.IsNull()) return std::string();
    if (!v.IsScalar()) return fail(path, "must be a string");
    return v.Scalar();
  }

  Result<bool> boolean(const YAML::Node& node, const char* key, const std::string& path) const {
    YAML::Node v = node[key];
    if (!v || v.IsNull()) return false;
    try {
      return v.as<bool>();
    } catch (const YAML::Exception&) {
      return fail(path, "must be true or false");
    }
  }

  // Finds `list[name == wanted].<inner>` in a named list such as contexts.
  Result<YAML::Node> named_entry(const YAML::Node& root, const char* list, const char* inner,
                                 const std::string& wanted) const {
    YAML::Node entries = root[list];
    if (!entries || entries.IsNull()) {
      return fail(list, "missing (looking for \"" + wanted + "\")");
    }
    if (!entries.IsSequence()) return fail(list, "must be a list");
    for (size_t i = 0; i < entries.size(); ++i) {
      const YAML::Node entry = entries[i];
      std::string path = std::string(list) + "[" + std::to_string(i) + "]";
      if (!entry.IsMap()) return fail(path, "must be a mapping");
      auto name = scalar(entry, "name", path + ".name");
      if (!name.ok()) return name.error();
      if (*name != wanted) continue;
      YAML::Node body = entry[inner];
      if (!body || !body.IsMap()) {
        return fail(std::string(list) + "[" + wanted + "]." + inner, "missing or not a mapping");
      }
      return body;
    }
    return fail(list, "no entry named \"" + wanted + "\"");
  }

  std::string resolve(const std::string& path) const {
    if (path.empty() || path[0] == '/' || base_dir_.empty()) return path;
    return base_dir_ + "/" + path;
  }

  Result<std::string> base64_field(const std::string& value, const std::string& path) const {
    std::string compact;
    for (char c : value) {
      if (c != '\n' && c != '\r' && c != ' ' && c != '\t') compact += c;
    }
    try {
      auto bytes = utility::conversions::from_base64(compact);
      if (bytes.empty()) return fail(path, "empty");
      return std::string(bytes.begin(), bytes.end());
    } catch (const std::exception&) {
      return fail(path, "not valid base64");
    }
  }

  // Loads PEM from `<field>-data` (base64) or from the file named by `<field>`.
  // Data wins over a file, as in kubectl.
  Result<std::string> pem(const YAML::Node& node, const std::string& field,
                          const std::string& path) const {
    auto data = scalar(node, (field + "-data").c_str(), path + "." + field + "-data");
    if (!data.ok()) return data.error();
    std::string pem_text;
    std::string where;
    if (!data->empty()) {
      where = path + "." + field + "-data";
      auto decoded = base64_field(*data, where);
      if (!decoded.ok()) return decoded.error();
      pem_text = std::move(*decoded);
    } else {
      auto file = scalar(node, field.c_str(), path + "." + field);
      if (!file.ok()) return file.error();
      if (file->empty()) return std::string();
      where = path + "." + field;
      auto content = read_file(resolve(*file));
      if (!content.ok()) return fail(where, content.error().message);
      pem_text = std::move(*content);
    }
    if (pem_text.find("-----BEGIN ") == std::string::npos) return fail(where, "not PEM data");
    return pem_text;
  }

  Result<void> read_cluster(const YAML::Node& cluster, const std::string& path, Config& config) const {
    auto server = scalar(cluster, "server", path + ".server");
    if (!server.ok()) return server.error();
    if (server->empty()) return fail(path + ".server", "missing");
    if (server->rfind("https://", 0) != 0 && server->rfind("http://", 0) != 0) {
      return fail(path + ".server", "must start with https:// or http://");
    }
    config.server = *server;
    while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();

    auto insecure = boolean(cluster, "insecure-skip-tls-verify", path + ".insecure-skip-tls-verify");
    if (!insecure.ok()) return insecure.error();
    config.insecure_skip_tls_verify = *insecure;

    auto ca = pem(cluster, "certificate-authority", path);
    if (!ca.ok()) return ca.error();
    config.ca_pem = std::move(*ca);
    if (config.insecure_skip_tls_verify && !config.ca_pem.empty()) {
      return fail(path + ".insecure-skip-tls-verify",
                  "cannot be combined with a certificate authority");
    }
    return {};
  }

  Result<void> read_user(const YAML::Node& user, const std::string& path, Config& config) const {
    for (const char* unsupported : {"exec", "auth-provider", "username", "password"}) {
      if (user[unsupported]) {
        return fail(path + "." + unsupported,
                    "not supported (use a client certificate, token or tokenFile)");
      }
    }
    auto cert = pem(user, "client-certificate", path);
    if (!cert.ok()) return cert.error();
    auto key = pem(user, "client-key", path);
    if (!key.ok()) return key.error();
    if (cert->empty() != key->empty()) {
      return fail(path, cert->empty() ? "client-key given without client-certificate"
                                      : "client-certificate given without client-key");
    }
    config.client_cert_pem = std::move(*cert);
    config.client_key_pem = std::move(*key);

    auto token = scalar(user, "token", path + ".token");
    if (!token.ok()) return token.error();
    auto token_file = scalar(user, "tokenFile", path + ".tokenFile");
    if (!token_file.ok()) return token_file.error();
    if (!token->empty()) {
      config.token = std::make_shared<StaticTokenSource>(*token);
    } else if (!token_file->empty()) {
      auto source = std::make_shared<FileTokenSource>(resolve(*token_file), clock_);
      // Read once now so a missing file is reported against the kubeconfig.
      auto first = source->token();
      if (!first.ok()) return fail(path + ".tokenFile", first.error().message);
      config.token = std::move(source);
    }
    return {};
  }

  std::string source_;
  std::string base_dir_;
  std::shared_ptr<Clock> clock_;
};

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Result<Config> parse_kubeconfig(const std::string& text, const std::string& source,
                                const std::string& base_dir, const std::string& context,
                                std::shared_ptr<Clock> clock) {
  return KubeconfigReader(source, base_dir, std::move(clock)).read(text, context);
}

Result<Config> load_kubeconfig(const std::string& path, const std::string& context,
                               std::shared_ptr<Clock> clock) {
  auto text = read_file(path);
  if (!text.ok()) return config_error("kubeconfig " + text.error().message);
  return parse_kubeconfig(*text, path, dir_of(path), context, std::move(clock));
}

Result<Config> in_cluster_config(const std::map<std::string, std::string>& env,
                                 const std::string& sa_dir, std::shared_ptr<Clock> clock) {
  auto get = [&](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  std::string host = get("KUBERNETES_SERVICE_HOST");
  std::string port = get("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return config_error("in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  Config config;
  // An IPv6 service address needs brackets in a URL.
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  config.server = "https://" + host + ":" + port;

  auto ca = read_file(sa_dir + "/ca.crt");
  if (!ca.ok()) return config_error("in-cluster: " + ca.error().message);
  if (ca->find("-----BEGIN ") == std::string::npos) {
    return config_error("in-cluster: " + sa_dir + "/ca.crt: not PEM data");
  }
  config.ca_pem = std::move(*ca);

  auto source = std::make_shared<FileTokenSource>(sa_dir + "/token", std::move(clock));
  auto first = source->token();
  if (!first.ok()) return config_error("in-cluster: " + first.error().message);
  config.token = std::move(source);

  auto ns = read_file(sa_dir + "/namespace");
  if (ns.ok()) {
    std::string value = *ns;
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
    if (!value.empty()) config.namespace_ = value;
  }
  return config;
}

Result<Config> default_config(const std::string& explicit_path) {
  if (!explicit_path.empty()) return load_kubeconfig(explicit_path);
  if (const char* kubeconfig = std::getenv("KUBECONFIG"); kubeconfig && *kubeconfig) {
    std::string first(kubeconfig);
    first = first.substr(0, first.find(':'));
    return load_kubeconfig(first);
  }
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host && *host) {
    return in_cluster_config({{"KUBERNETES_SERVICE_HOST", host},
                              {"KUBERNETES_SERVICE_PORT", port ? port : ""}});
  }
  const char* home = std::getenv("HOME");
  if (!home) return config_error("no kubeconfig: KUBECONFIG and HOME are unset and not in a cluster");
  return load_kubeconfig(std::string(home) + "/.kube/config");
}

}  // namespace sluice::kube

// Connection settings for an API server, from a kubeconfig file or from the
// in-cluster service-account mount. All PEM material is held in memory.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "kube/clock.h"
#include "kube/result.h"
#include "kube/token_source.h"

namespace sluice::kube {

struct Config {
  std::string server;           // e.g. "https://127.0.0.1:6443" (no trailing slash)
  std::string ca_pem;           // trusted CAs; empty = system roots
  bool insecure_skip_tls_verify = false;
  std::string client_cert_pem;  // client certificate chain (PEM)
  std::string client_key_pem;   // client private key (PEM)
  std::shared_ptr<TokenSource> token;  // bearer token, null when none
  std::string namespace_ = "default";  // the context's default namespace
};

// Parses kubeconfig text. `source` names the file in error messages and
// `base_dir` resolves relative file paths (as kubectl does). `context` selects
// a named context; empty means current-context. Errors (kind Config) name the
// file and the offending field, e.g. "f: users[admin].user.token: not a string".
Result<Config> parse_kubeconfig(const std::string& text, const std::string& source,
                                const std::string& base_dir, const std::string& context = "",
                                std::shared_ptr<Clock> clock = real_clock());

// Reads and parses a kubeconfig file.
Result<Config> load_kubeconfig(const std::string& path, const std::string& context = "",
                               std::shared_ptr<Clock> clock = real_clock());

// In-cluster settings. `env` holds KUBERNETES_SERVICE_HOST/PORT; `sa_dir` is the
// service-account mount holding ca.crt, token and namespace. The token file is
// re-read at least every minute.
Result<Config> in_cluster_config(const std::map<std::string, std::string>& env,
                                 const std::string& sa_dir =
                                     "/var/run/secrets/kubernetes.io/serviceaccount",
                                 std::shared_ptr<Clock> clock = real_clock());

// What a program does by default: `explicit_path` if given, else $KUBECONFIG
// (first entry), else in-cluster when KUBERNETES_SERVICE_HOST is set, else
// ~/.kube/config.
Result<Config> default_config(const std::string& explicit_path = "");

}  // namespace sluice::kube

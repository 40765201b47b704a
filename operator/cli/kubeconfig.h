// Where kubectl-sluice finds its cluster, the way kubectl does:
//   --kubeconfig FILE   exactly that file;
//   else $KUBECONFIG    a ':'-separated list merged as kubectl merges it (the
//                       first file to set current-context, or to define a
//                       cluster/user/context name, wins; missing files are
//                       skipped; relative paths resolve against the file
//                       that holds them);
//   else ~/.kube/config when it exists;
//   else the in-cluster service account (KUBERNETES_SERVICE_HOST set).
// --context picks the context. TLS material and tokens stay in memory; the
// result is parsed by kube/config (the operator's own reader), which keeps
// certificate verification on.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kube/config.h"
#include "kube/result.h"

namespace sluice::cli {

struct KubeconfigFile {
  std::string path;
  std::string text;
};

// Merges files (in $KUBECONFIG order) into one kubeconfig document. Errors
// name the file that does not parse.
kube::Result<std::string> mergeKubeconfigs(const std::vector<KubeconfigFile>& files);

// The environment the resolution reads: KUBECONFIG, HOME,
// KUBERNETES_SERVICE_HOST/PORT.
using Environment = std::map<std::string, std::string>;

kube::Result<kube::Config> resolveConfig(const std::string& explicitPath, const std::string& context,
                                         const Environment& env);

}  // namespace sluice::cli

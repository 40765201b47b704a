#include "kube/resource.h"

#include <cpprest/base_uri.h>

namespace sluice::kube {
namespace {

// Names and namespaces are DNS labels in practice, but encode anyway so a
// hostile name can never change the path.
std::string segment(const std::string& s) { return web::uri::encode_data_string(s); }

}  // namespace

std::string Resource::collection_path(const std::string& ns) const {
  std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) path += "/namespaces/" + segment(ns);
  return path + "/" + plural;
}

std::string Resource::object_path(const std::string& ns, const std::string& name,
                                  const std::string& subresource) const {
  std::string path = collection_path(ns) + "/" + segment(name);
  if (!subresource.empty()) path += "/" + subresource;
  return path;
}

}  // namespace sluice::kube

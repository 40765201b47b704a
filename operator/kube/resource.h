// Addressing of API resources: (group, version, plural) plus namespace and
// name map to REST paths. No knowledge of particular kinds beyond a few
// well-known constants.
#pragma once

#include <string>

namespace sluice::kube {

struct Resource {
  std::string group;    // "" for the core group
  std::string version;  // "v1"
  std::string plural;   // "configmaps"
  bool namespaced = true;

  // Collection path, e.g. /api/v1/namespaces/ns/configmaps. An empty `ns`
  // on a namespaced resource means all namespaces (list/watch only).
  std::string collection_path(const std::string& ns) const;
  // Object path, optionally with a subresource such as "status".
  std::string object_path(const std::string& ns, const std::string& name,
                          const std::string& subresource = "") const;
  // "group/version" or "version" for the core group.
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
};

namespace resources {
inline Resource config_maps() { return {"", "v1", "configmaps", true}; }
inline Resource secrets() { return {"", "v1", "secrets", true}; }
inline Resource pods() { return {"", "v1", "pods", true}; }
inline Resource events() { return {"", "v1", "events", true}; }
inline Resource namespaces() { return {"", "v1", "namespaces", false}; }
inline Resource jobs() { return {"batch", "v1", "jobs", true}; }
inline Resource leases() { return {"coordination.k8s.io", "v1", "leases", true}; }
inline Resource crds() { return {"apiextensions.k8s.io", "v1", "customresourcedefinitions", false}; }
}  // namespace resources

}  // namespace sluice::kube

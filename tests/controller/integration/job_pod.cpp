#include "job_pod.h"

#include "controller/json_access.h"

namespace sluice::testing {

using web::json::value;

value podForJob(const value& job, const std::string& podName, const std::string& nodeName) {
  const std::string jobName = controller::stringAt(job, {"metadata", "name"});
  const value& tmpl = job.at("spec").at("template");
  value pod = value::object();
  pod["apiVersion"] = value::string("v1");
  pod["kind"] = value::string("Pod");
  pod["metadata"] = tmpl.has_field("metadata") ? tmpl.at("metadata") : value::object();
  pod["metadata"]["name"] = value::string(podName);
  pod["metadata"]["labels"]["batch.kubernetes.io/job-name"] = value::string(jobName);
  value owner;
  owner["apiVersion"] = value::string("batch/v1");
  owner["kind"] = value::string("Job");
  owner["name"] = value::string(jobName);
  owner["uid"] = job.at("metadata").at("uid");
  owner["controller"] = value::boolean(true);
  pod["metadata"]["ownerReferences"] = value::array({owner});
  pod["spec"] = tmpl.at("spec");
  pod["spec"]["nodeName"] = value::string(nodeName);
  return pod;
}

}  // namespace sluice::testing

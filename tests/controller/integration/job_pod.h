// The pod the Job controller would make for a Job, already "scheduled" on
// nodeName: the template's metadata and spec, the job-name label and a
// controller owner reference to the Job. Shared by the fake kubelet of the
// operator tests and the benchmark's step harness, which play the missing
// controllers through the API.
#pragma once

#include <cpprest/json.h>

#include <string>

namespace sluice::testing {

web::json::value podForJob(const web::json::value& job, const std::string& podName, const std::string& nodeName);

}  // namespace sluice::testing

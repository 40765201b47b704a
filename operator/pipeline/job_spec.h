// The batch/v1 Job that runs one container step (DESIGN.md "Running",
// GPUs, Retries). Pure: the manifest is built from the step after
// substitution and handed back as JSON for the controller to create.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <variant>
#include <vector>

#include "model.h"
#include "plan_types.h"

namespace sluice::pipeline {

// Deterministic Job name EXECUTION-STEP-HASH: DNS-1123 label (lowercase
// alphanumerics and '-'), at most 63 characters. HASH is 8 hex characters of
// SHA-256 over (execution name, execution uid, step name), so truncating the
// readable parts never makes two steps collide, and step names differing
// only in case or '_' vs '-' still get different Jobs.
std::string jobName(const std::string& executionName, const std::string& executionUid, const std::string& step);

// A label value (<= 63 chars, alphanumeric at both ends) derived from s.
std::string labelValue(const std::string& s);

// "SLUICE_OUTPUT_" + name upper-cased with every non-alphanumeric as '_'.
std::string outputEnvName(const std::string& outputName);
std::string inputEnvName(const std::string& inputName);

// Where the Job runs and who owns it.
struct JobOwner {
  std::string namespace_;
  std::string pipelineName;
  std::string executionName;
  std::string executionUid;
};

struct RenderedInput {
  std::string name, uri, path;
};

// A container step after $(...) substitution.
struct RenderedStep {
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  std::string workingDir;
  std::string imagePullPolicy;
  std::vector<RenderedInput> inputs;
  std::vector<OutputStatus> outputs;  // name + URI fixed by the operator
};

// The Job manifest, or why it cannot be built (e.g. tolerations that are not
// a JSON array, a timeout that does not parse).
std::variant<web::json::value, std::string> buildJobManifest(const JobOwner& owner, const StepSpec& step,
                                                             const StepDefaults& defaults,
                                                             const std::optional<ArtifactStore>& store,
                                                             const RenderedStep& rendered,
                                                             const PlanOptions& options);

// maxAttempts of a step (its retry, else the pipeline default), clamped to 1..20.
int effectiveMaxAttempts(const StepSpec& step, const StepDefaults& defaults);

}  // namespace sluice::pipeline

// Starting an execution: validate, resolve the source and the parameters,
// plan the selective execution, snapshot the Pipeline. Any rejection ends
// the execution Failed before a Job exists.
#include "plan_start.h"

#include "dag.h"
#include "params.h"
#include "plan_status.h"
#include "selective.h"
#include "validation.h"

namespace sluice::pipeline {

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }


}  // namespace

void rejectBeforeStart(ExecutionStatus& st, const char* reason, const std::string& message, const PlanInput& in) {
  if (!st.startTime) st.startTime = formatRfc3339(in.now);
  st.failureReason = message;
  setExecutionPhase(st, ExecutionPhase::Failed, reason, message, in.now, in.execution.metadata.generation);
}

bool startExecution(const PlanInput& in, ExecutionStatus& st) {
  const Pipeline& pipeline = *in.pipeline;
  const PipelineExecution& exec = in.execution;

  // Parse errors first (a field of the wrong type), then the semantic rules.
  const FieldErrors errs = !in.pipelineErrors.empty() ? in.pipelineErrors : validatePipeline(pipeline.spec);
  if (!errs.empty()) {
    rejectBeforeStart(st, kReasonPipelineInvalid,
           "pipeline " + q(exec.spec.pipelineRef) + " is invalid: " + joinFieldErrors(errs), in);
    return false;
  }
  const Dag dag = Dag::build(pipeline.spec);

  const PipelineExecution* source = nullptr;
  const auto& selective = exec.spec.selectiveExecution;
  if (selective) {
    auto resolved = resolveSourceExecution(exec, in.otherExecutions);
    if (auto* r = std::get_if<SelectiveRejection>(&resolved)) {
      rejectBeforeStart(st, kReasonInvalidSelective, r->message, in);
      return false;
    }
    source = std::get<const PipelineExecution*>(resolved);
    st.selectiveExecution = ResolvedSelection{source->metadata.name, {}};
  }

  auto params = resolveParameters(pipeline.spec.parameters, exec.spec.parameters,
                                  source ? &source->status.parameters : nullptr);
  if (auto* e = std::get_if<ParameterError>(&params)) {
    rejectBeforeStart(st, kReasonInvalidParameters, "invalid parameters: " + e->message(), in);
    return false;
  }
  st.parameters = std::get<std::vector<ResolvedParameter>>(params);

  st.steps.clear();
  if (selective) {
    auto planned = planSelectiveExecution(pipeline.spec, dag, *selective, *source, in.otherExecutions, st.parameters);
    if (auto* r = std::get_if<SelectiveRejection>(&planned)) {
      rejectBeforeStart(st, kReasonInvalidSelective, r->message, in);
      return false;
    }
    auto& sp = std::get<SelectivePlan>(planned);
    st.selectiveExecution = sp.selection;
    st.steps = std::move(sp.steps);
    if (!sp.staleReuse.empty()) {
      std::string msg = "reused despite allowStaleReuse: ";
      for (size_t i = 0; i < sp.staleReuse.size(); ++i) msg += (i ? "; " : "") + sp.staleReuse[i];
      setCondition(st.conditions, "StaleReuse", "True", "StaleReuseAllowed", msg, in.now, exec.metadata.generation);
    }
  } else {
    for (const auto& s : pipeline.spec.steps) st.steps.push_back(pendingStep(s.name));
  }

  // The snapshot: from here on the run never reads the Pipeline again.
  st.pipelineSpec = pipeline.spec;
  st.pipelineGeneration = pipeline.metadata.generation;
  st.startTime = formatRfc3339(in.now);
  setExecutionPhase(st, ExecutionPhase::Executing, "Executing", "", in.now, exec.metadata.generation);
  return true;
}

}  // namespace sluice::pipeline

// Human views of executions and pipelines, from the parsed model (what the
// operator wrote to status). Pure: `now` is passed in, so golden tests are
// stable.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pipeline/model.h"
#include "pipeline/plan_time.h"

namespace sluice::cli {

// kubectl-style age: 42s, 7m, 3h, 5d.
std::string formatAge(int64_t seconds);
// 45s, 3m20s, 2h5m.
std::string formatDuration(int64_t seconds);
// One column per phase: ✔ ✖ ● ◷ ○ ■.
const char* phaseGlyph(pipeline::StepPhase phase);

// `list`: NAME PIPELINE PHASE PROGRESS SOURCE AGE (NAMESPACE first with -A;
// wide adds STARTED DURATION REASON).
std::string renderExecutionList(const std::vector<pipeline::PipelineExecution>& executions, bool withNamespace,
                                bool wide, pipeline::UnixSeconds now);

// `get`: a header, then one row per step in DAG order, indented by depth.
// podsByStep (wide only) names each step's pods.
std::string renderExecution(const pipeline::PipelineExecution& execution, bool wide,
                            const std::map<std::string, std::vector<std::string>>& podsByStep,
                            pipeline::UnixSeconds now);

// `params`: NAME TYPE VALUE SOURCE (type from the snapshot).
std::string renderParameters(const pipeline::PipelineExecution& execution);

// `diff`: parameters that differ, then per step what each run did
// (ran / reused from X / cache hit of X / skipped: reason / failed: reason).
std::string renderDiff(const pipeline::PipelineExecution& a, const pipeline::PipelineExecution& b);
// What one step did in one execution, as `diff` words it.
std::string stepOutcome(const pipeline::StepStatus& step);

// `logs`: every line of text with prefix in front ("[Train] "); a last
// line without its newline gets one.
std::string prefixLines(const std::string& text, const std::string& prefix);

// `dag`: one line per step in topological order with its dependencies and
// branches; or Graphviz dot.
std::string renderDag(const std::string& name, const pipeline::PipelineSpec& spec);
std::string renderDagDot(const std::string& name, const pipeline::PipelineSpec& spec);

}  // namespace sluice::cli

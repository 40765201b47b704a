#include "cli/plan_preview.h"

#include <algorithm>
#include <map>
#include <set>

#include "cli/table.h"
#include "controller/cache_index.h"
#include "controller/plan_peers.h"
#include "pipeline/dag.h"
#include "pipeline/model_json.h"
#include "pipeline/plan.h"
#include "pipeline/plan_status.h"

namespace sluice::cli {

using web::json::value;
namespace pl = sluice::pipeline;

pl::PlanInput buildPlanInput(const value& newExecution, const value* livePipeline,
                             const std::vector<value>& executionsInNamespace, pl::UnixSeconds now) {
  // As ExecutionReconciler::reconcile builds it for an execution without a
  // snapshot: the same parsers, the same peer filter, the same cache index.
  pl::PlanInput in;
  in.now = now;
  auto parsed = pl::parsePipelineExecution(newExecution);
  in.execution = parsed.value;
  in.executionErrors = parsed.errors;
  if (livePipeline) {
    auto p = pl::parsePipeline(*livePipeline);
    in.pipeline = p.value;
    in.pipelineErrors = p.errors;
  }
  std::vector<pl::PipelineExecution> others;
  for (const auto& x : executionsInNamespace) {
    if (!controller::isPlanPeer(x, in.execution)) continue;  // the operator's own filter
    others.push_back(pl::parsePipelineExecution(x).value);  // a broken one never qualifies as a source
  }
  std::vector<const pl::PipelineExecution*> views;
  for (const auto& o : others) views.push_back(&o);
  in.cacheIndex = pipeline::CacheIndex(controller::buildCacheIndex(views));
  in.otherExecutions = std::move(others);
  return in;
}

namespace {

const char* kindName(pl::StepKind k) {
  switch (k) {
    case pl::StepKind::Container: return "Container";
    case pl::StepKind::Condition: return "Condition";
    case pl::StepKind::Fail: return "Fail";
  }
  return "Container";
}

bool isRejection(const std::string& reason) {
  return reason == pl::kReasonInvalidSpec || reason == pl::kReasonPipelineInvalid ||
         reason == pl::kReasonInvalidParameters || reason == pl::kReasonInvalidSelective ||
         reason == pl::kReasonPipelineNotFound;
}

// Conditions not yet evaluated whose branch the step sits on (listed in
// ifSteps/elseSteps, or downstream of a step that is): it runs only if that
// branch is taken. Read from the DAG; the planner decides it when it gets there.
std::vector<BranchGuard> branchGuards(const std::string& step, const pl::PipelineSpec& spec, const pl::Dag& dag,
                                      const std::map<std::string, const pl::StepStatus*>& status) {
  std::vector<BranchGuard> out;
  std::set<std::string> upstream = dag.ancestors(step);
  for (const auto& c : spec.steps) {
    if (!c.condition || !upstream.count(c.name)) continue;
    const auto it = status.find(c.name);
    if (it != status.end() && it->second->conditionOutcome) continue;  // already decided
    for (const auto& [branch, members] : {std::pair<const char*, const std::vector<std::string>*>{"if", &c.condition->ifSteps},
                                          {"else", &c.condition->elseSteps}}) {
      for (const auto& m : *members) {
        if (m == step || dag.ancestors(step).count(m)) {
          out.push_back({c.name, branch});
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace

PlanPreview previewPlan(const pl::PlanInput& in) {
  PlanPreview p;
  p.pipeline = in.execution.spec.pipelineRef;
  p.namespace_ = in.execution.metadata.namespace_;
  const pl::PlanOutput out = pl::plan(in);  // the operator's planner, unchanged
  const pl::ExecutionStatus& st = out.status;
  p.phase = pl::toString(st.phase);
  const pl::StatusCondition* succeeded = pl::findCondition(st.conditions, "Succeeded");
  p.reason = succeeded ? succeeded->reason : "";
  p.message = !st.failureReason.empty() ? st.failureReason : (succeeded ? succeeded->message : "");
  p.accepted = !(st.phase == pl::ExecutionPhase::Failed && isRejection(p.reason)) && st.phase != pl::ExecutionPhase::Pending;
  if (const pl::StatusCondition* stale = pl::findCondition(st.conditions, "StaleReuse"))
    p.warnings.push_back("StaleReuse: " + stale->message);
  if (st.selectiveExecution) {
    p.sourceExecution = st.selectiveExecution->sourceExecution;
    if (p.accepted) p.selectedSteps = st.selectiveExecution->selectedSteps;
  }
  p.parameters = st.parameters;
  if (!p.accepted || !st.pipelineSpec) return p;

  const pl::PipelineSpec& spec = *st.pipelineSpec;
  const pl::Dag dag = pl::Dag::build(spec);
  std::map<std::string, const pl::StepStatus*> byName;
  for (const auto& s : st.steps) byName[s.name] = &s;
  std::map<std::string, const pl::StepSpec*> specs;
  for (const auto& s : spec.steps) specs[s.name] = &s;
  const auto order = dag.topologicalOrder().value_or(dag.steps());
  for (const auto& name : order) {
    const auto it = byName.find(name);
    if (it == byName.end()) continue;
    const pl::StepStatus& s = *it->second;
    StepPreview v;
    v.name = name;
    v.kind = kindName(specs.at(name)->kind);
    v.reason = s.reason;
    v.message = s.message;
    v.conditionOutcome = s.conditionOutcome;
    switch (s.phase) {
      case pl::StepPhase::Succeeded:
        if (s.reusedFromExecution) {
          v.action = "reuse";
          v.producer = *s.reusedFromExecution;
          v.outputs = s.outputs;
        } else if (s.cacheHitExecution) {
          v.action = "cacheHit";
          v.producer = *s.cacheHitExecution;
          v.outputs = s.outputs;
        } else {  // a condition evaluated at once
          v.action = "run";
          v.startsImmediately = true;
        }
        break;
      case pl::StepPhase::Skipped:
        v.action = "skip";
        break;
      case pl::StepPhase::Failed:
        v.action = "fail";
        break;
      default:  // Pending, Starting
        v.action = "run";
        v.startsImmediately = s.phase != pl::StepPhase::Pending;
        for (const auto& dep : dag.dependencies(name)) {
          const auto d = byName.find(dep);
          if (d != byName.end() && d->second->phase != pl::StepPhase::Succeeded) v.waitsFor.push_back(dep);
        }
        std::sort(v.waitsFor.begin(), v.waitsFor.end(), [&](const std::string& a, const std::string& b) {
          return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
        });
        v.onBranchOf = branchGuards(name, spec, dag, byName);
        break;
    }
    p.steps.push_back(std::move(v));
  }
  return p;
}

namespace {

value str(const std::string& s) { return value::string(s); }

value strings(const std::vector<std::string>& xs) {
  value a = value::array();
  for (size_t i = 0; i < xs.size(); ++i) a[i] = str(xs[i]);
  return a;
}

}  // namespace

value toJson(const PlanPreview& p) {
  value j;
  j["formatVersion"] = value::number(kPlanFormatVersion);
  j["kind"] = str("PlanPreview");
  j["pipeline"] = str(p.pipeline);
  j["namespace"] = str(p.namespace_);
  value verdict;
  verdict["accepted"] = value::boolean(p.accepted);
  verdict["phase"] = str(p.phase);
  verdict["reason"] = str(p.reason);
  verdict["message"] = str(p.message);
  j["verdict"] = verdict;
  j["warnings"] = strings(p.warnings);
  j["sourceExecution"] = p.sourceExecution ? str(*p.sourceExecution) : value::null();
  j["selectedSteps"] = p.selectedSteps ? strings(*p.selectedSteps) : value::null();
  value params = value::array();
  for (size_t i = 0; i < p.parameters.size(); ++i) {
    params[i]["name"] = str(p.parameters[i].name);
    params[i]["value"] = str(p.parameters[i].value);
    params[i]["source"] = str(pl::toString(p.parameters[i].source));
  }
  j["parameters"] = params;
  value steps = value::array();
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const StepPreview& s = p.steps[i];
    value v;
    v["name"] = str(s.name);
    v["kind"] = str(s.kind);
    v["action"] = str(s.action);
    v["reason"] = str(s.reason);
    v["message"] = str(s.message);
    v["startsImmediately"] = value::boolean(s.startsImmediately);
    v["waitsFor"] = strings(s.waitsFor);
    value guards = value::array();
    for (size_t g = 0; g < s.onBranchOf.size(); ++g) {
      guards[g]["condition"] = str(s.onBranchOf[g].condition);
      guards[g]["branch"] = str(s.onBranchOf[g].branch);
    }
    v["onBranchOf"] = guards;
    v["producer"] = s.producer.empty() ? value::null() : str(s.producer);
    v["conditionOutcome"] = s.conditionOutcome ? str(*s.conditionOutcome) : value::null();
    value outs = value::array();
    for (size_t o = 0; o < s.outputs.size(); ++o) {
      outs[o]["name"] = str(s.outputs[o].name);
      outs[o]["uri"] = str(s.outputs[o].uri);
    }
    v["outputs"] = outs;
    steps[i] = v;
  }
  j["steps"] = steps;
  return j;
}

namespace {

std::string joined(const std::vector<std::string>& xs) {
  std::string s;
  for (size_t i = 0; i < xs.size(); ++i) s += (i ? ", " : "") + xs[i];
  return s;
}

std::string detail(const StepPreview& s) {
  if (s.action == "reuse") return "outputs of " + s.producer;
  if (s.action == "cacheHit") return "cached result of " + s.producer;
  if (s.action == "skip" || s.action == "fail") return s.reason + (s.message.empty() ? "" : ": " + s.message);
  std::string d;
  if (s.conditionOutcome) d = "evaluated at once: " + *s.conditionOutcome;
  else if (s.startsImmediately) d = "starts at once";
  else if (!s.waitsFor.empty()) d = "after " + joined(s.waitsFor);
  for (const auto& g : s.onBranchOf) d += (d.empty() ? "" : "; ") + std::string("if ") + g.condition + " takes its " + g.branch + " branch";
  return d;
}

}  // namespace

std::string renderPlan(const PlanPreview& p) {
  std::string out = "Plan for a new execution of " + p.pipeline + " in namespace " + p.namespace_ + "\n";
  if (p.sourceExecution) out += "Source:    " + *p.sourceExecution + "\n";
  if (p.selectedSteps) out += "Selected:  " + joined(*p.selectedSteps) + "\n";
  if (!p.accepted) {
    out += "Verdict:   refused (" + p.reason + "): " + p.message + "\n";
    out += "Nothing would be created.\n";
    return out;
  }
  std::map<std::string, int> counts;
  for (const auto& s : p.steps) ++counts[s.action];
  std::string summary;
  for (const char* a : {"run", "reuse", "cacheHit", "skip", "fail"})
    if (counts[a]) summary += (summary.empty() ? "" : ", ") + std::to_string(counts[a]) + " " + a;
  out += "Verdict:   accepted (" + summary + ")\n";
  if (p.phase != "Executing") out += "Outcome:   " + p.phase + (p.message.empty() ? "" : ": " + p.message) + "\n";
  for (const auto& w : p.warnings) out += "Warning:   " + w + "\n";
  out += "\n";
  std::vector<Row> rows;
  for (const auto& s : p.steps) rows.push_back({s.name, s.action, detail(s)});
  out += renderTable({"STEP", "ACTION", "DETAIL"}, rows);
  if (!p.parameters.empty()) {
    out += "\n";
    std::vector<Row> prow;
    for (const auto& x : p.parameters) prow.push_back({x.name, x.value, pl::toString(x.source)});
    out += renderTable({"PARAMETER", "VALUE", "SOURCE"}, prow);
  }
  return out;
}

}  // namespace sluice::cli

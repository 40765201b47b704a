#include "ui/views.h"

#include <algorithm>

#include "pipeline/dag.h"
#include "pipeline/model.h"
#include "pipeline/model_json.h"

namespace sluice::ui {

namespace pl = sluice::pipeline;
using web::json::value;

namespace {

value stringOrNull(const std::optional<std::string>& s) { return s ? value::string(*s) : value::null(); }

value stringArray(const std::vector<std::string>& xs) {
  value a = value::array();
  for (size_t i = 0; i < xs.size(); ++i) a[i] = value::string(xs[i]);
  return a;
}

const char* kindName(pl::StepKind k) {
  switch (k) {
    case pl::StepKind::Condition: return "Condition";
    case pl::StepKind::Fail: return "Fail";
    default: return "Container";
  }
}

const pl::StepStatus* findStep(const pl::ExecutionStatus& status, const std::string& name) {
  for (const auto& s : status.steps)
    if (s.name == name) return &s;
  return nullptr;
}

// The condition step and branch ("if"/"else") that gate `step`, if any.
value branchOf(const pl::PipelineSpec& spec, const std::string& step) {
  for (const auto& c : spec.steps) {
    if (!c.condition) continue;
    for (const char* branch : {"if", "else"}) {
      const auto& list = std::string(branch) == "if" ? c.condition->ifSteps : c.condition->elseSteps;
      if (std::find(list.begin(), list.end(), step) == list.end()) continue;
      value b = value::object();
      b["condition"] = value::string(c.name);
      b["branch"] = value::string(branch);
      return b;
    }
  }
  return value::null();
}

value stepView(const pl::PipelineSpec& spec, const pl::Dag& dag, const pl::StepSpec& s, const pl::StepStatus* st) {
  value v = value::object();
  v["name"] = value::string(s.name);
  v["kind"] = value::string(kindName(s.kind));
  const auto& deps = dag.dependencies(s.name);
  v["dependsOn"] = stringArray(std::vector<std::string>(deps.begin(), deps.end()));
  v["branch"] = branchOf(spec, s.name);
  v["image"] = s.container ? value::string(s.container->image) : value::null();
  v["phase"] = value::string(st ? pl::toString(st->phase) : "Pending");
  v["reason"] = value::string(st ? st->reason : "");
  v["message"] = value::string(st ? st->message : "");
  v["startTime"] = st ? stringOrNull(st->startTime) : value::null();
  v["endTime"] = st ? stringOrNull(st->endTime) : value::null();
  v["attempts"] = value::number(st ? st->attemptCount : 0);
  v["jobName"] = value::string(st ? st->jobName : "");
  v["reusedFrom"] = st ? stringOrNull(st->reusedFromExecution) : value::null();
  v["cacheHit"] = st ? stringOrNull(st->cacheHitExecution) : value::null();
  v["conditionOutcome"] = st ? stringOrNull(st->conditionOutcome) : value::null();
  value outputs = value::array();
  if (st) {
    for (size_t i = 0; i < st->outputs.size(); ++i) {
      const auto& o = st->outputs[i];
      value ov = value::object();
      ov["name"] = value::string(o.name);
      ov["uri"] = value::string(o.uri);
      ov["size"] = o.size ? value::number(*o.size) : value::null();
      ov["sha256"] = value::string(o.sha256);
      outputs[i] = ov;
    }
  }
  v["outputs"] = outputs;
  value properties = value::array();
  if (st) {
    for (size_t i = 0; i < st->properties.size(); ++i) {
      value pv = value::object();
      pv["name"] = value::string(st->properties[i].name);
      pv["value"] = value::string(st->properties[i].value);
      properties[i] = pv;
    }
  }
  v["properties"] = properties;
  return v;
}

std::string typeOf(const pl::PipelineSpec* spec, const std::string& parameter) {
  if (spec)
    for (const auto& p : spec->parameters)
      if (p.name == parameter) return pl::toString(p.type);
  return "String";
}

}  // namespace

value pipelineSummary(const value& object, size_t executionCount) {
  const pl::Pipeline p = pl::parsePipeline(object).value;
  value v = value::object();
  v["name"] = value::string(p.metadata.name);
  v["description"] = value::string(p.spec.description);
  v["steps"] = value::number(static_cast<int64_t>(p.spec.steps.size()));
  value params = value::array();
  for (size_t i = 0; i < p.spec.parameters.size(); ++i) {
    const auto& ps = p.spec.parameters[i];
    value pv = value::object();
    pv["name"] = value::string(ps.name);
    pv["type"] = value::string(pl::toString(ps.type));
    pv["default"] = stringOrNull(ps.defaultValue);
    pv["description"] = value::string(ps.description);
    params[i] = pv;
  }
  v["parameters"] = params;
  v["executions"] = value::number(static_cast<int64_t>(executionCount));
  return v;
}

std::string sourceExecutionOf(const value& object) {
  const pl::PipelineExecution x = pl::parsePipelineExecution(object).value;
  if (x.status.selectiveExecution && !x.status.selectiveExecution->sourceExecution.empty())
    return x.status.selectiveExecution->sourceExecution;
  if (x.spec.selectiveExecution && x.spec.selectiveExecution->sourceExecution)
    return *x.spec.selectiveExecution->sourceExecution;
  return "";
}

value executionSummary(const value& object) {
  const pl::PipelineExecution x = pl::parsePipelineExecution(object).value;
  value v = value::object();
  v["name"] = value::string(x.metadata.name);
  v["pipeline"] = value::string(x.spec.pipelineRef);
  v["phase"] = value::string(pl::toString(x.status.phase));
  v["created"] = value::string(x.metadata.creationTimestamp);
  v["startTime"] = stringOrNull(x.status.startTime);
  v["endTime"] = stringOrNull(x.status.endTime);
  v["progress"] = value::string(pl::progressOf(x.status));
  const std::string source = sourceExecutionOf(object);
  v["source"] = source.empty() ? value::null() : value::string(source);
  if (x.status.selectiveExecution)
    v["selectedSteps"] = stringArray(x.status.selectiveExecution->selectedSteps);
  else if (x.spec.selectiveExecution && !x.spec.selectiveExecution->selectedSteps.empty())
    v["selectedSteps"] = stringArray(x.spec.selectiveExecution->selectedSteps);
  else
    v["selectedSteps"] = value::null();
  return v;
}

value executionDetail(const value& object, const value* livePipeline, const value* sourceExecution) {
  const pl::PipelineExecution x = pl::parsePipelineExecution(object).value;
  value v = executionSummary(object);
  v["namespace"] = value::string(x.metadata.namespace_);
  v["failureReason"] = value::string(x.status.failureReason);
  value conditions = value::array();
  for (size_t i = 0; i < x.status.conditions.size(); ++i) {
    const auto& c = x.status.conditions[i];
    value cv = value::object();
    cv["type"] = value::string(c.type);
    cv["status"] = value::string(c.status);
    cv["reason"] = value::string(c.reason);
    cv["message"] = value::string(c.message);
    conditions[i] = cv;
  }
  v["conditions"] = conditions;

  std::optional<pl::PipelineSpec> spec = x.status.pipelineSpec;
  if (!spec && livePipeline) spec = pl::parsePipeline(*livePipeline).value.spec;
  value steps = value::array();
  value order = value::array();
  if (spec) {
    const pl::Dag dag = pl::Dag::build(*spec);
    size_t i = 0;
    for (const auto& s : spec->steps) steps[i++] = stepView(*spec, dag, s, findStep(x.status, s.name));
    const auto topo = dag.topologicalOrder();
    order = stringArray(topo ? *topo : dag.steps());
  }
  v["steps"] = steps;
  v["order"] = order;

  // Resolved values once started; before that, what the spec asks for.
  std::vector<pl::ResolvedParameter> params = x.status.parameters;
  if (params.empty())
    for (const auto& p : x.spec.parameters) params.push_back({p.name, p.value, pl::ParameterSource::Override});
  std::vector<pl::ResolvedParameter> sourceParams;
  if (sourceExecution) sourceParams = pl::parsePipelineExecution(*sourceExecution).value.status.parameters;
  value parameters = value::array();
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& p = params[i];
    value pv = value::object();
    pv["name"] = value::string(p.name);
    pv["value"] = value::string(p.value);
    pv["source"] = value::string(pl::toString(p.source));
    pv["type"] = value::string(typeOf(spec ? &*spec : nullptr, p.name));
    const auto was = std::find_if(sourceParams.begin(), sourceParams.end(), [&](const auto& s) { return s.name == p.name; });
    pv["sourceValue"] = was == sourceParams.end() ? value::null() : value::string(was->value);
    pv["changed"] = value::boolean(was != sourceParams.end() && was->value != p.value);
    parameters[i] = pv;
  }
  v["parameters"] = parameters;
  return v;
}

}  // namespace sluice::ui

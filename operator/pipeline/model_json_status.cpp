// ExecutionStatus <-> JSON (see model_json.h). The operator writes this
// through the status subresource and reads it back on the next reconcile,
// so every field must round-trip.
#include <utility>

#include "json_fields.h"
#include "model_json.h"

namespace sluice::pipeline {
namespace {

using json::join;
using json::Reader;
using json::Value;

template <typename E>
void readEnum(Reader& r, const Value& v, const std::string& path, const char* key, E& out,
              std::optional<E> (*fromString)(const std::string&)) {
  std::string s;
  r.readString(v, path, key, s);
  if (s.empty()) return;
  if (auto e = fromString(s)) {
    out = *e;
  } else {
    r.error(join(path, key), "Unsupported value: \"" + s + "\"");
  }
}

// {"execution": "name"} objects: reusedFrom and cacheHit.
void readExecutionRef(Reader& r, const Value& v, const std::string& path, const char* key,
                      std::optional<std::string>& out) {
  if (const Value* o = r.object(v, path, key)) {
    std::string name;
    r.readString(*o, join(path, key), "execution", name, true);
    out = name;
  }
}

StepStatus readStep(Reader& r, const Value& v, const std::string& path) {
  StepStatus s;
  r.readString(v, path, "name", s.name, true);
  readEnum(r, v, path, "phase", s.phase, stepPhaseFromString);
  r.readString(v, path, "reason", s.reason);
  r.readString(v, path, "message", s.message);
  r.readString(v, path, "startTime", s.startTime);
  r.readString(v, path, "endTime", s.endTime);
  r.readInt(v, path, "attemptCount", s.attemptCount);
  r.readString(v, path, "jobName", s.jobName);
  readExecutionRef(r, v, path, "reusedFrom", s.reusedFromExecution);
  readExecutionRef(r, v, path, "cacheHit", s.cacheHitExecution);
  r.forEachObject(v, path, "outputs", [&](const Value& o, const std::string& op) {
    OutputStatus out;
    r.readString(o, op, "name", out.name, true);
    r.readString(o, op, "uri", out.uri);
    r.readInt64(o, op, "size", out.size);
    r.readString(o, op, "sha256", out.sha256);
    s.outputs.push_back(std::move(out));
  });
  r.forEachObject(v, path, "properties", [&](const Value& p, const std::string& pp) {
    PropertyStatus prop;
    r.readString(p, pp, "name", prop.name, true);
    r.readString(p, pp, "value", prop.value);
    s.properties.push_back(std::move(prop));
  });
  r.readString(v, path, "cacheKey", s.cacheKey);
  if (const Value* c = r.object(v, path, "condition")) {
    r.readString(*c, join(path, "condition"), "outcome", s.conditionOutcome);
  }
  r.forEachObject(v, path, "consumedParameters", [&](const Value& p, const std::string& pp) {
    ParameterValue pv;
    r.readString(p, pp, "name", pv.name, true);
    r.readString(p, pp, "value", pv.value);
    s.consumedParameters.push_back(std::move(pv));
  });
  return s;
}

Value nameValue(const std::string& name, const std::string& value) {
  Value o = Value::object();
  o["name"] = Value::string(name);
  o["value"] = Value::string(value);
  return o;
}

Value executionRef(const std::string& execution) {
  Value o = Value::object();
  o["execution"] = Value::string(execution);
  return o;
}

Value writeStep(const StepStatus& s) {
  Value v = Value::object();
  v["name"] = Value::string(s.name);
  v["phase"] = Value::string(toString(s.phase));
  json::putString(v, "reason", s.reason);
  json::putString(v, "message", s.message);
  json::putOptString(v, "startTime", s.startTime);
  json::putOptString(v, "endTime", s.endTime);
  if (s.attemptCount != 0) v["attemptCount"] = Value::number(s.attemptCount);
  json::putString(v, "jobName", s.jobName);
  if (s.reusedFromExecution) v["reusedFrom"] = executionRef(*s.reusedFromExecution);
  if (s.cacheHitExecution) v["cacheHit"] = executionRef(*s.cacheHitExecution);
  if (!s.outputs.empty()) {
    std::vector<Value> outs;
    for (const auto& o : s.outputs) {
      Value ov = Value::object();
      ov["name"] = Value::string(o.name);
      ov["uri"] = Value::string(o.uri);
      if (o.size) ov["size"] = Value::number(*o.size);
      json::putString(ov, "sha256", o.sha256);
      outs.push_back(std::move(ov));
    }
    v["outputs"] = Value::array(std::move(outs));
  }
  if (!s.properties.empty()) {
    std::vector<Value> props;
    for (const auto& p : s.properties) props.push_back(nameValue(p.name, p.value));
    v["properties"] = Value::array(std::move(props));
  }
  json::putString(v, "cacheKey", s.cacheKey);
  if (s.conditionOutcome) {
    Value c = Value::object();
    c["outcome"] = Value::string(*s.conditionOutcome);
    v["condition"] = c;
  }
  if (!s.consumedParameters.empty()) {
    std::vector<Value> params;
    for (const auto& p : s.consumedParameters) params.push_back(nameValue(p.name, p.value));
    v["consumedParameters"] = Value::array(std::move(params));
  }
  return v;
}

}  // namespace

ParseResult<ExecutionStatus> parseExecutionStatus(const web::json::value& v, const std::string& path) {
  ParseResult<ExecutionStatus> out;
  ExecutionStatus& s = out.value;
  Reader r(out.errors);
  if (!v.is_object()) {
    r.error(path, "must be an object");
    return out;
  }
  r.readInt64(v, path, "observedGeneration", s.observedGeneration);
  readEnum(r, v, path, "phase", s.phase, executionPhaseFromString);
  r.forEachObject(v, path, "conditions", [&](const Value& c, const std::string& cp) {
    StatusCondition sc;
    r.readString(c, cp, "type", sc.type, true);
    r.readString(c, cp, "status", sc.status, true);
    r.readString(c, cp, "reason", sc.reason);
    r.readString(c, cp, "message", sc.message);
    r.readString(c, cp, "lastTransitionTime", sc.lastTransitionTime);
    r.readInt64(c, cp, "observedGeneration", sc.observedGeneration);
    s.conditions.push_back(std::move(sc));
  });
  r.readString(v, path, "startTime", s.startTime);
  r.readString(v, path, "endTime", s.endTime);
  r.readString(v, path, "failureReason", s.failureReason);
  r.readInt64(v, path, "pipelineGeneration", s.pipelineGeneration);
  if (const Value* snap = r.object(v, path, "pipelineSpec")) {
    auto parsed = parsePipelineSpec(*snap, join(path, "pipelineSpec"));
    s.pipelineSpec = std::move(parsed.value);
    out.errors.insert(out.errors.end(), parsed.errors.begin(), parsed.errors.end());
  }
  r.forEachObject(v, path, "parameters", [&](const Value& p, const std::string& pp) {
    ResolvedParameter rp;
    r.readString(p, pp, "name", rp.name, true);
    r.readString(p, pp, "value", rp.value);
    readEnum(r, p, pp, "source", rp.source, parameterSourceFromString);
    s.parameters.push_back(std::move(rp));
  });
  if (const Value* sel = r.object(v, path, "selectiveExecution")) {
    std::string sp = join(path, "selectiveExecution");
    ResolvedSelection rs;
    r.readString(*sel, sp, "sourceExecution", rs.sourceExecution);
    r.readStringList(*sel, sp, "selectedSteps", rs.selectedSteps);
    s.selectiveExecution = std::move(rs);
  }
  r.forEachObject(v, path, "steps",
                  [&](const Value& st, const std::string& stp) { s.steps.push_back(readStep(r, st, stp)); });
  return out;
}

web::json::value toJson(const ExecutionStatus& s) {
  Value v = Value::object();
  v["observedGeneration"] = Value::number(s.observedGeneration);
  v["phase"] = Value::string(toString(s.phase));
  v["progress"] = Value::string(progressOf(s));
  if (!s.conditions.empty()) {
    std::vector<Value> conds;
    for (const auto& c : s.conditions) {
      Value o = Value::object();
      o["type"] = Value::string(c.type);
      o["status"] = Value::string(c.status);
      json::putString(o, "reason", c.reason);
      json::putString(o, "message", c.message);
      json::putString(o, "lastTransitionTime", c.lastTransitionTime);
      if (c.observedGeneration != 0) o["observedGeneration"] = Value::number(c.observedGeneration);
      conds.push_back(std::move(o));
    }
    v["conditions"] = Value::array(std::move(conds));
  }
  json::putOptString(v, "startTime", s.startTime);
  json::putOptString(v, "endTime", s.endTime);
  json::putString(v, "failureReason", s.failureReason);
  if (s.pipelineGeneration != 0) v["pipelineGeneration"] = Value::number(s.pipelineGeneration);
  if (s.pipelineSpec) v["pipelineSpec"] = toJson(*s.pipelineSpec);
  if (!s.parameters.empty()) {
    std::vector<Value> params;
    for (const auto& p : s.parameters) {
      Value o = Value::object();
      o["name"] = Value::string(p.name);
      o["value"] = Value::string(p.value);
      o["source"] = Value::string(toString(p.source));
      params.push_back(std::move(o));
    }
    v["parameters"] = Value::array(std::move(params));
  }
  if (s.selectiveExecution) {
    Value o = Value::object();
    o["sourceExecution"] = Value::string(s.selectiveExecution->sourceExecution);
    json::putStringList(o, "selectedSteps", s.selectiveExecution->selectedSteps);
    v["selectiveExecution"] = o;
  }
  if (!s.steps.empty()) {
    std::vector<Value> steps;
    for (const auto& st : s.steps) steps.push_back(writeStep(st));
    v["steps"] = Value::array(std::move(steps));
  }
  return v;
}

}  // namespace sluice::pipeline

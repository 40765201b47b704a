// Resources and ExecutionSpec <-> JSON (see model_json.h); the pipeline spec
// lives in model_json_spec.cpp and the execution status in
// model_json_status.cpp.
#include "model_json.h"

#include <utility>

#include "json_fields.h"

namespace sluice::pipeline {
namespace {

using json::join;
using json::Reader;
using json::Value;

void append(FieldErrors& to, FieldErrors&& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// metadata is optional for parsing (a spec under test may lack it) but an
// object when present.
template <typename R>
void readMetadata(const Value& resource, R& out) {
  Reader r(out.errors);
  if (const Value* m = r.object(resource, "", "metadata")) {
    auto meta = parseObjectMeta(*m, "metadata");
    out.value.metadata = std::move(meta.value);
    append(out.errors, std::move(meta.errors));
  }
}

}  // namespace

ParseResult<ObjectMeta> parseObjectMeta(const web::json::value& v, const std::string& path) {
  ParseResult<ObjectMeta> out;
  ObjectMeta& m = out.value;
  Reader r(out.errors);
  if (!v.is_object()) {
    r.error(path, "must be an object");
    return out;
  }
  r.readString(v, path, "name", m.name);
  r.readString(v, path, "namespace", m.namespace_);
  r.readString(v, path, "uid", m.uid);
  r.readString(v, path, "resourceVersion", m.resourceVersion);
  r.readInt64(v, path, "generation", m.generation);
  r.readString(v, path, "creationTimestamp", m.creationTimestamp);
  r.readStringMap(v, path, "labels", m.labels);
  return out;
}

ParseResult<Pipeline> parsePipeline(const web::json::value& resource) {
  ParseResult<Pipeline> out;
  Reader r(out.errors);
  if (!resource.is_object()) {
    r.error("", "must be an object");
    return out;
  }
  readMetadata(resource, out);
  if (const Value* spec = r.object(resource, "", "spec", true)) {
    auto parsed = parsePipelineSpec(*spec, "spec");
    out.value.spec = std::move(parsed.value);
    append(out.errors, std::move(parsed.errors));
  }
  return out;
}

ParseResult<PipelineExecution> parsePipelineExecution(const web::json::value& resource) {
  ParseResult<PipelineExecution> out;
  Reader r(out.errors);
  if (!resource.is_object()) {
    r.error("", "must be an object");
    return out;
  }
  readMetadata(resource, out);
  if (const Value* spec = r.object(resource, "", "spec", true)) {
    auto parsed = parseExecutionSpec(*spec, "spec");
    out.value.spec = std::move(parsed.value);
    append(out.errors, std::move(parsed.errors));
  }
  if (const Value* status = r.object(resource, "", "status")) {
    auto parsed = parseExecutionStatus(*status, "status");
    out.value.status = std::move(parsed.value);
    append(out.errors, std::move(parsed.errors));
  }
  return out;
}

ParseResult<ExecutionSpec> parseExecutionSpec(const web::json::value& v, const std::string& path) {
  ParseResult<ExecutionSpec> out;
  ExecutionSpec& s = out.value;
  Reader r(out.errors);
  if (!v.is_object()) {
    r.error(path, "must be an object");
    return out;
  }
  if (const Value* ref = r.object(v, path, "pipelineRef", true))
    r.readString(*ref, join(path, "pipelineRef"), "name", s.pipelineRef, true);
  r.forEachObject(v, path, "parameters", [&](const Value& p, const std::string& pp) {
    ParameterValue pv;
    r.readString(p, pp, "name", pv.name, true);
    r.readString(p, pp, "value", pv.value, true);
    s.parameters.push_back(std::move(pv));
  });
  if (const Value* sel = r.object(v, path, "selectiveExecution")) {
    std::string sp = join(path, "selectiveExecution");
    SelectiveExecutionSpec se;
    r.readString(*sel, sp, "sourceExecution", se.sourceExecution);
    r.readStringList(*sel, sp, "selectedSteps", se.selectedSteps);
    r.readStringList(*sel, sp, "fromSteps", se.fromSteps);
    r.readBool(*sel, sp, "fromFailure", se.fromFailure);
    r.readBool(*sel, sp, "allowStaleReuse", se.allowStaleReuse);
    s.selectiveExecution = std::move(se);
  }
  r.readInt(v, path, "maxParallelSteps", s.maxParallelSteps);
  r.readBool(v, path, "stop", s.stop);
  return out;
}

web::json::value toJson(const ExecutionSpec& s) {
  Value v = Value::object();
  Value ref = Value::object();
  ref["name"] = Value::string(s.pipelineRef);
  v["pipelineRef"] = ref;
  if (!s.parameters.empty()) {
    std::vector<Value> params;
    for (const auto& p : s.parameters) {
      Value o = Value::object();
      o["name"] = Value::string(p.name);
      o["value"] = Value::string(p.value);
      params.push_back(std::move(o));
    }
    v["parameters"] = Value::array(std::move(params));
  }
  if (s.selectiveExecution) {
    const auto& se = *s.selectiveExecution;
    Value o = Value::object();
    json::putOptString(o, "sourceExecution", se.sourceExecution);
    json::putStringList(o, "selectedSteps", se.selectedSteps);
    json::putStringList(o, "fromSteps", se.fromSteps);
    if (se.fromFailure) o["fromFailure"] = Value::boolean(true);
    if (se.allowStaleReuse) o["allowStaleReuse"] = Value::boolean(true);
    v["selectiveExecution"] = o;
  }
  if (s.maxParallelSteps) v["maxParallelSteps"] = Value::number(*s.maxParallelSteps);
  if (s.stop) v["stop"] = Value::boolean(true);
  return v;
}

}  // namespace sluice::pipeline

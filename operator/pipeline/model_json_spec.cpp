// PipelineSpec <-> JSON (see model_json.h). Readers and writers sit side by
// side per type so a field added to one is easy to add to the other.
#include <utility>

#include "json_fields.h"
#include "model_json.h"

namespace sluice::pipeline {
namespace {

using json::join;
using json::Reader;
using json::Value;

// Deeper Not/Or nesting is rejected rather than recursed into, so hostile
// input cannot exhaust the stack.
constexpr int kMaxConditionDepth = 32;

std::string supportedValues(std::initializer_list<const char*> names) {
  std::string out;
  for (const char* n : names) out += std::string(out.empty() ? "" : ", ") + "\"" + n + "\"";
  return out;
}

// ---- readers ----

ParameterSpec readParameter(Reader& r, const Value& v, const std::string& path) {
  ParameterSpec p;
  r.readString(v, path, "name", p.name, true);
  std::string type;
  r.readString(v, path, "type", type);
  if (!type.empty()) {
    if (auto t = paramTypeFromString(type)) {
      p.type = *t;
    } else {
      r.error(join(path, "type"), "Unsupported value: \"" + type + "\": supported values: " +
                                      supportedValues({"String", "Integer", "Float", "Boolean"}));
    }
  }
  r.readString(v, path, "default", p.defaultValue);
  r.readString(v, path, "description", p.description);
  return p;
}

std::optional<ArtifactStore> readArtifactStore(Reader& r, const Value& spec, const std::string& specPath) {
  const Value* store = r.object(spec, specPath, "artifactStore");
  if (!store) return std::nullopt;
  std::string path = join(specPath, "artifactStore");
  ArtifactStore out;
  const Value* s3 = r.object(*store, path, "s3", true);
  if (!s3) return out;
  path = join(path, "s3");
  S3Store s;
  r.readString(*s3, path, "endpoint", s.endpoint);
  r.readString(*s3, path, "bucket", s.bucket, true);
  r.readString(*s3, path, "prefix", s.prefix);
  r.readString(*s3, path, "region", s.region);
  r.readBool(*s3, path, "forcePathStyle", s.forcePathStyle);
  if (const Value* secret = r.object(*s3, path, "credentialsSecret")) {
    std::string sp = join(path, "credentialsSecret");
    SecretRef ref;
    r.readString(*secret, sp, "name", ref.name, true);
    r.readString(*secret, sp, "accessKeyIdKey", ref.accessKeyIdKey);
    r.readString(*secret, sp, "secretAccessKeyKey", ref.secretAccessKeyKey);
    s.credentialsSecret = ref;
  }
  out.s3 = s;
  return out;
}

CacheSpec readCache(Reader& r, const Value& v, const std::string& path) {
  CacheSpec c;
  r.readBool(v, path, "enabled", c.enabled);
  r.readString(v, path, "expireAfter", c.expireAfter);
  r.readString(v, path, "cacheVersion", c.cacheVersion);
  return c;
}

RetrySpec readRetry(Reader& r, const Value& v, const std::string& path) {
  RetrySpec s;
  r.readInt(v, path, "maxAttempts", s.maxAttempts);
  return s;
}

ContainerSpec readContainer(Reader& r, const Value& v, const std::string& path) {
  ContainerSpec c;
  r.readString(v, path, "image", c.image, true);
  r.readStringList(v, path, "command", c.command);
  r.readStringList(v, path, "args", c.args);
  r.forEachObject(v, path, "env", [&](const Value& e, const std::string& ep) {
    EnvVar var;
    r.readString(e, ep, "name", var.name, true);
    r.readString(e, ep, "value", var.value);
    c.env.push_back(std::move(var));
  });
  r.readString(v, path, "workingDir", c.workingDir);
  r.readString(v, path, "imagePullPolicy", c.imagePullPolicy);
  return c;
}

Condition readCondition(Reader& r, const Value& v, const std::string& path, int depth) {
  Condition c;
  std::string type;
  r.readString(v, path, "type", type, true);
  if (type.empty()) return c;
  auto t = conditionTypeFromString(type);
  if (!t) {
    r.error(join(path, "type"), "Unsupported value: \"" + type + "\": supported values: " +
                                    supportedValues({"Equals", "NotEquals", "GreaterThan", "GreaterThanOrEqualTo",
                                                     "LessThan", "LessThanOrEqualTo", "In", "Not", "Or"}));
    return c;
  }
  c.type = *t;
  auto children = [&](const char* key) {
    if (depth >= kMaxConditionDepth) {
      if (r.field(v, path, key))
        r.error(join(path, key), "conditions nested deeper than " + std::to_string(kMaxConditionDepth) + " levels");
      return;
    }
    if (std::string(key) == "condition") {
      if (const Value* child = r.object(v, path, key))
        c.children.push_back(readCondition(r, *child, join(path, key), depth + 1));
      return;
    }
    r.forEachObject(v, path, key, [&](const Value& item, const std::string& ip) {
      c.children.push_back(readCondition(r, item, ip, depth + 1));
    });
  };
  switch (c.type) {
    case ConditionType::In:
      r.readScalar(v, path, "value", c.value);
      r.readScalarList(v, path, "values", c.values);
      break;
    case ConditionType::Not:
      // The wire shape is a single "condition"; a "conditions" list is read
      // too so that the validator can say "exactly one".
      children("condition");
      children("conditions");
      break;
    case ConditionType::Or:
      children("conditions");
      break;
    default:
      r.readScalar(v, path, "left", c.left);
      r.readScalar(v, path, "right", c.right);
      break;
  }
  return c;
}

ConditionStep readConditionStep(Reader& r, const Value& v, const std::string& path) {
  ConditionStep cs;
  r.forEachObject(
      v, path, "conditions",
      [&](const Value& c, const std::string& cp) { cs.conditions.push_back(readCondition(r, c, cp, 1)); }, true);
  r.readStringList(v, path, "ifSteps", cs.ifSteps);
  r.readStringList(v, path, "elseSteps", cs.elseSteps);
  return cs;
}

void readPod(Reader& r, const Value& v, const std::string& path, PodPassThrough& pod) {
  r.readStringMap(v, path, "nodeSelector", pod.nodeSelector);
  if (const Value* t = r.field(v, path, "tolerations")) {
    if (t->is_array()) {
      pod.tolerationsJson = t->serialize();
    } else {
      r.error(join(path, "tolerations"), "must be an array");
    }
  }
  if (const Value* a = r.object(v, path, "affinity")) pod.affinityJson = a->serialize();
}

StepSpec readStep(Reader& r, const Value& v, const std::string& path) {
  StepSpec s;
  r.readString(v, path, "name", s.name, true);
  int kinds = 0;
  if (const Value* c = r.object(v, path, "container")) {
    s.container = readContainer(r, *c, join(path, "container"));
    s.kind = StepKind::Container;
    ++kinds;
  }
  if (const Value* c = r.object(v, path, "condition")) {
    s.condition = readConditionStep(r, *c, join(path, "condition"));
    if (!kinds) s.kind = StepKind::Condition;
    ++kinds;
  }
  if (const Value* f = r.object(v, path, "fail")) {
    FailStep fs;
    r.readString(*f, join(path, "fail"), "message", fs.message, true);
    s.fail = fs;
    if (!kinds) s.kind = StepKind::Fail;
    ++kinds;
  }
  if (kinds != 1) r.error(path, "exactly one of container, condition, fail must be set");
  r.readStringList(v, path, "dependsOn", s.dependsOn);
  r.forEachObject(v, path, "inputs", [&](const Value& i, const std::string& ip) {
    InputSpec in;
    r.readString(i, ip, "name", in.name, true);
    r.readString(i, ip, "from", in.from, true);
    r.readString(i, ip, "path", in.path, true);
    s.inputs.push_back(std::move(in));
  });
  r.forEachObject(v, path, "outputs", [&](const Value& o, const std::string& op) {
    OutputSpec out;
    r.readString(o, op, "name", out.name, true);
    r.readString(o, op, "path", out.path, true);
    s.outputs.push_back(std::move(out));
  });
  r.forEachObject(v, path, "properties", [&](const Value& p, const std::string& pp) {
    PropertySpec prop;
    r.readString(p, pp, "name", prop.name, true);
    r.readString(p, pp, "file", prop.file, true);
    r.readString(p, pp, "jsonPath", prop.jsonPath, true);
    s.properties.push_back(std::move(prop));
  });
  if (const Value* res = r.object(v, path, "resources")) {
    std::string rp = join(path, "resources");
    r.readScalar(*res, rp, "cpu", s.resources.cpu);
    r.readScalar(*res, rp, "memory", s.resources.memory);
    r.readInt(*res, rp, "gpu", s.resources.gpu);
    r.readScalar(*res, rp, "ephemeralStorage", s.resources.ephemeralStorage);
  }
  readPod(r, v, path, s.pod);
  if (const Value* c = r.object(v, path, "cache")) s.cache = readCache(r, *c, join(path, "cache"));
  if (const Value* rt = r.object(v, path, "retry")) s.retry = readRetry(r, *rt, join(path, "retry"));
  r.readString(v, path, "timeout", s.timeout);
  r.readString(v, path, "serviceAccountName", s.serviceAccountName);
  return s;
}

// ---- writers ----

Value writeCondition(const Condition& c) {
  Value v = Value::object();
  v["type"] = Value::string(toString(c.type));
  switch (c.type) {
    case ConditionType::In:
      v["value"] = Value::string(c.value);
      json::putStringList(v, "values", c.values);
      break;
    case ConditionType::Not:
    case ConditionType::Or: {
      if (c.type == ConditionType::Not && c.children.size() == 1) {
        v["condition"] = writeCondition(c.children.front());
        break;
      }
      std::vector<Value> kids;
      for (const auto& k : c.children) kids.push_back(writeCondition(k));
      if (!kids.empty()) v["conditions"] = Value::array(std::move(kids));
      break;
    }
    default:
      v["left"] = Value::string(c.left);
      v["right"] = Value::string(c.right);
      break;
  }
  return v;
}

Value writeCache(const CacheSpec& c) {
  Value v = Value::object();
  v["enabled"] = Value::boolean(c.enabled);
  json::putOptString(v, "expireAfter", c.expireAfter);
  json::putOptString(v, "cacheVersion", c.cacheVersion);
  return v;
}

Value writeRetry(const RetrySpec& r) {
  Value v = Value::object();
  v["maxAttempts"] = Value::number(r.maxAttempts);
  return v;
}

template <typename T, typename F>
void putObjects(Value& obj, const char* key, const std::vector<T>& items, F write) {
  if (items.empty()) return;
  std::vector<Value> out;
  for (const auto& i : items) out.push_back(write(i));
  obj[key] = Value::array(std::move(out));
}

Value writeContainer(const ContainerSpec& c) {
  Value v = Value::object();
  v["image"] = Value::string(c.image);  // required, kept even when empty
  json::putStringList(v, "command", c.command);
  json::putStringList(v, "args", c.args);
  putObjects(v, "env", c.env, [](const EnvVar& e) {
    Value o = Value::object();
    o["name"] = Value::string(e.name);
    o["value"] = Value::string(e.value);
    return o;
  });
  json::putString(v, "workingDir", c.workingDir);
  json::putString(v, "imagePullPolicy", c.imagePullPolicy);
  return v;
}

// Pass-through texts come from serialize() and parse back; a hand-built
// model with broken text is kept as a string rather than thrown on.
void putJsonText(Value& obj, const char* key, const std::string& text) {
  if (text.empty()) return;
  try {
    obj[key] = Value::parse(text);
  } catch (const web::json::json_exception&) {
    obj[key] = Value::string(text);
  }
}

Value writeParameter(const ParameterSpec& p) {
  Value v = Value::object();
  v["name"] = Value::string(p.name);
  v["type"] = Value::string(toString(p.type));
  json::putOptString(v, "default", p.defaultValue);
  json::putString(v, "description", p.description);
  return v;
}

Value writeArtifactStore(const ArtifactStore& a) {
  Value v = Value::object();
  if (!a.s3) return v;
  const S3Store& s = *a.s3;
  Value s3 = Value::object();
  json::putString(s3, "endpoint", s.endpoint);
  s3["bucket"] = Value::string(s.bucket);
  json::putString(s3, "prefix", s.prefix);
  s3["region"] = Value::string(s.region);
  s3["forcePathStyle"] = Value::boolean(s.forcePathStyle);
  if (s.credentialsSecret) {
    Value sec = Value::object();
    sec["name"] = Value::string(s.credentialsSecret->name);
    sec["accessKeyIdKey"] = Value::string(s.credentialsSecret->accessKeyIdKey);
    sec["secretAccessKeyKey"] = Value::string(s.credentialsSecret->secretAccessKeyKey);
    s3["credentialsSecret"] = sec;
  }
  v["s3"] = s3;
  return v;
}

}  // namespace

ParseResult<StepSpec> parseStepSpec(const web::json::value& step, const std::string& path) {
  ParseResult<StepSpec> out;
  Reader r(out.errors);
  if (!step.is_object()) {
    r.error(path, "must be an object");
    return out;
  }
  out.value = readStep(r, step, path);
  return out;
}

ParseResult<PipelineSpec> parsePipelineSpec(const web::json::value& v, const std::string& path) {
  ParseResult<PipelineSpec> out;
  PipelineSpec& p = out.value;
  Reader r(out.errors);
  if (!v.is_object()) {
    r.error(path, "must be an object");
    return out;
  }
  r.readString(v, path, "description", p.description);
  r.forEachObject(v, path, "parameters", [&](const Value& item, const std::string& ip) {
    p.parameters.push_back(readParameter(r, item, ip));
  });
  p.artifactStore = readArtifactStore(r, v, path);
  r.readInt(v, path, "maxParallelSteps", p.maxParallelSteps);
  if (const Value* d = r.object(v, path, "defaults")) {
    std::string dp = join(path, "defaults");
    r.readString(*d, dp, "serviceAccountName", p.defaults.serviceAccountName);
    if (const Value* c = r.object(*d, dp, "cache")) p.defaults.cache = readCache(r, *c, join(dp, "cache"));
    if (const Value* rt = r.object(*d, dp, "retry")) p.defaults.retry = readRetry(r, *rt, join(dp, "retry"));
  }
  r.forEachObject(
      v, path, "steps",
      [&](const Value& item, const std::string& sp) { p.steps.push_back(readStep(r, item, sp)); }, true);
  return out;
}

web::json::value toJson(const StepSpec& s) {
  Value v = Value::object();
  v["name"] = Value::string(s.name);
  if (s.container) v["container"] = writeContainer(*s.container);
  if (s.condition) {
    Value c = Value::object();
    std::vector<Value> conds;
    for (const auto& cond : s.condition->conditions) conds.push_back(writeCondition(cond));
    c["conditions"] = Value::array(std::move(conds));
    json::putStringList(c, "ifSteps", s.condition->ifSteps);
    json::putStringList(c, "elseSteps", s.condition->elseSteps);
    v["condition"] = c;
  }
  if (s.fail) {
    Value f = Value::object();
    f["message"] = Value::string(s.fail->message);
    v["fail"] = f;
  }
  json::putStringList(v, "dependsOn", s.dependsOn);
  putObjects(v, "inputs", s.inputs, [](const InputSpec& i) {
    Value o = Value::object();
    o["name"] = Value::string(i.name);
    o["from"] = Value::string(i.from);
    o["path"] = Value::string(i.path);
    return o;
  });
  putObjects(v, "outputs", s.outputs, [](const OutputSpec& i) {
    Value o = Value::object();
    o["name"] = Value::string(i.name);
    o["path"] = Value::string(i.path);
    return o;
  });
  putObjects(v, "properties", s.properties, [](const PropertySpec& i) {
    Value o = Value::object();
    o["name"] = Value::string(i.name);
    o["file"] = Value::string(i.file);
    o["jsonPath"] = Value::string(i.jsonPath);
    return o;
  });
  Value res = Value::object();
  json::putString(res, "cpu", s.resources.cpu);
  json::putString(res, "memory", s.resources.memory);
  if (s.resources.gpu != 0) res["gpu"] = Value::number(s.resources.gpu);
  json::putString(res, "ephemeralStorage", s.resources.ephemeralStorage);
  if (res.size() != 0) v["resources"] = res;
  if (!s.pod.nodeSelector.empty()) {
    Value ns = Value::object();
    for (const auto& [k, val] : s.pod.nodeSelector) ns[k] = Value::string(val);
    v["nodeSelector"] = ns;
  }
  putJsonText(v, "tolerations", s.pod.tolerationsJson);
  putJsonText(v, "affinity", s.pod.affinityJson);
  if (s.cache) v["cache"] = writeCache(*s.cache);
  if (s.retry) v["retry"] = writeRetry(*s.retry);
  json::putOptString(v, "timeout", s.timeout);
  json::putOptString(v, "serviceAccountName", s.serviceAccountName);
  return v;
}

web::json::value toJson(const PipelineSpec& p) {
  Value v = Value::object();
  json::putString(v, "description", p.description);
  putObjects(v, "parameters", p.parameters, writeParameter);
  if (p.artifactStore) v["artifactStore"] = writeArtifactStore(*p.artifactStore);
  if (p.maxParallelSteps != 0) v["maxParallelSteps"] = Value::number(p.maxParallelSteps);
  Value d = Value::object();
  json::putString(d, "serviceAccountName", p.defaults.serviceAccountName);
  d["cache"] = writeCache(p.defaults.cache);
  d["retry"] = writeRetry(p.defaults.retry);
  v["defaults"] = d;
  std::vector<Value> steps;
  for (const auto& s : p.steps) steps.push_back(toJson(s));
  v["steps"] = Value::array(std::move(steps));
  return v;
}

}  // namespace sluice::pipeline

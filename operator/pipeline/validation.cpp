// Field-level rules and the entry point (see validation.h); graph rules are
// in validation_refs.cpp.
#include "validation.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "duration.h"
#include "validation_context.h"

namespace sluice::pipeline {
namespace {

using validation::Context;
using validation::quoted;

constexpr int kMaxAttempts = 20;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isInteger(const std::string& v) {
  size_t i = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
  if (i == v.size()) return false;
  for (size_t j = i; j < v.size(); ++j) {
    if (!isDigit(v[j])) return false;
  }
  errno = 0;
  std::strtoll(v.c_str(), nullptr, 10);
  return errno != ERANGE;
}

// Decimal notation only: strtod alone would also take "nan", "inf", hex
// floats and leading spaces, which a user never means as a Float parameter.
bool isFloat(const std::string& v) {
  size_t i = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
  size_t digits = 0;
  while (i < v.size() && isDigit(v[i])) ++i, ++digits;
  if (i < v.size() && v[i] == '.') {
    ++i;
    while (i < v.size() && isDigit(v[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
    size_t expDigits = 0;
    while (i < v.size() && isDigit(v[i])) ++i, ++expDigits;
    if (expDigits == 0) return false;
  }
  if (i != v.size()) return false;
  return std::isfinite(std::strtod(v.c_str(), nullptr));
}

const char* kNameRule = "must be 1-64 characters of A-Z a-z 0-9 _ -";

void checkName(Context& ctx, const std::string& path, const std::string& name) {
  if (name.empty()) {
    ctx.add(path, "Required value");
  } else if (!isValidName(name)) {
    ctx.add(path, "Invalid value: " + quoted(name) + ": " + kNameRule);
  }
}

void checkParameters(Context& ctx) {
  for (size_t i = 0; i < ctx.spec.parameters.size(); ++i) {
    const ParameterSpec& p = ctx.spec.parameters[i];
    std::string path = ctx.prefix + ".parameters[" + std::to_string(i) + "]";
    checkName(ctx, path + ".name", p.name);
    if (!p.name.empty() && !ctx.params.insert(p.name).second)
      ctx.add(path + ".name", "Duplicate value: " + quoted(p.name));
    if (p.defaultValue) {
      if (auto err = validateParameterValue(p.type, *p.defaultValue))
        ctx.add(path + ".default", "Invalid value: " + quoted(*p.defaultValue) + ": " + *err);
    }
  }
}

void checkRetry(Context& ctx, const std::string& path, const RetrySpec& r) {
  if (r.maxAttempts < 1 || r.maxAttempts > kMaxAttempts)
    ctx.add(path + ".maxAttempts", "Invalid value: " + std::to_string(r.maxAttempts) + ": must be between 1 and " +
                                       std::to_string(kMaxAttempts));
}

void checkCache(Context& ctx, const std::string& path, const CacheSpec& c) {
  if (!c.expireAfter) return;
  auto d = parseIsoDuration(*c.expireAfter);
  if (auto* err = std::get_if<std::string>(&d)) {
    ctx.add(path + ".expireAfter", "Invalid value: " + quoted(*c.expireAfter) + ": " + *err);
  } else if (std::get<int64_t>(d) <= 0) {
    ctx.add(path + ".expireAfter", "Invalid value: " + quoted(*c.expireAfter) + ": must be longer than zero");
  }
}

void checkNamedList(Context& ctx, const std::string& path, const std::vector<std::string>& names) {
  std::set<std::string> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    std::string p = path + "[" + std::to_string(i) + "].name";
    checkName(ctx, p, names[i]);
    if (!names[i].empty() && !seen.insert(names[i]).second) ctx.add(p, "Duplicate value: " + quoted(names[i]));
  }
}

template <typename T>
std::vector<std::string> namesOf(const std::vector<T>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.name);
  return out;
}

void checkStep(Context& ctx, size_t i) {
  const StepSpec& s = ctx.spec.steps[i];
  std::string path = ctx.stepPath(i);
  checkName(ctx, path + ".name", s.name);
  if (!s.name.empty() && !ctx.stepIndex.emplace(s.name, i).second)
    ctx.add(path + ".name", "Duplicate value: " + quoted(s.name));
  if (s.container && s.container->image.empty()) ctx.add(path + ".container.image", "must not be empty");
  bool isContainer = s.kind == StepKind::Container;
  if (!isContainer && !s.outputs.empty()) ctx.add(path + ".outputs", "only container steps have outputs");
  if (!isContainer && !s.properties.empty()) ctx.add(path + ".properties", "only container steps have properties");
  checkNamedList(ctx, path + ".inputs", namesOf(s.inputs));
  checkNamedList(ctx, path + ".outputs", namesOf(s.outputs));
  checkNamedList(ctx, path + ".properties", namesOf(s.properties));
  if (s.resources.gpu < 0)
    ctx.add(path + ".resources.gpu", "Invalid value: " + std::to_string(s.resources.gpu) + ": must be >= 0");
  if (s.retry) checkRetry(ctx, path + ".retry", *s.retry);
  if (s.cache) checkCache(ctx, path + ".cache", *s.cache);
  if (s.timeout) {
    auto d = parseGoDuration(*s.timeout);
    if (auto* err = std::get_if<std::string>(&d)) {
      ctx.add(path + ".timeout", "Invalid value: " + quoted(*s.timeout) + ": " + *err);
    } else if (std::get<int64_t>(d) <= 0) {
      ctx.add(path + ".timeout", "Invalid value: " + quoted(*s.timeout) + ": must be longer than zero");
    }
  }
}

}  // namespace

bool isValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(isDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-')) return false;
  }
  return true;
}

std::optional<std::string> validateParameterValue(ParamType type, const std::string& value) {
  switch (type) {
    case ParamType::Integer:
      if (!isInteger(value)) return "must be an Integer, got " + quoted(value);
      break;
    case ParamType::Float:
      if (!isFloat(value)) return "must be a Float, got " + quoted(value);
      break;
    case ParamType::Boolean:
      if (value != "true" && value != "false") return "must be true or false, got " + quoted(value);
      break;
    case ParamType::String:
      break;
  }
  return std::nullopt;
}

FieldErrors validatePipeline(const PipelineSpec& spec, const std::string& pathPrefix) {
  FieldErrors errors;
  Context ctx{spec, pathPrefix, errors, {}, {}};
  checkParameters(ctx);
  if (spec.artifactStore && spec.artifactStore->s3 && spec.artifactStore->s3->bucket.empty())
    ctx.add(pathPrefix + ".artifactStore.s3.bucket", "Required value");
  if (spec.maxParallelSteps < 0)
    ctx.add(pathPrefix + ".maxParallelSteps",
            "Invalid value: " + std::to_string(spec.maxParallelSteps) + ": must be >= 0 (0 means unlimited)");
  checkRetry(ctx, pathPrefix + ".defaults.retry", spec.defaults.retry);
  checkCache(ctx, pathPrefix + ".defaults.cache", spec.defaults.cache);
  if (spec.steps.empty()) ctx.add(pathPrefix + ".steps", "Required value: a pipeline needs at least one step");
  if (spec.steps.size() > kMaxSteps)
    ctx.add(pathPrefix + ".steps", std::to_string(spec.steps.size()) + " steps; Sluice supports at most " +
                                       std::to_string(kMaxSteps) +
                                       " (an execution records every step in its status, which must stay below "
                                       "etcd's 1.5 MiB object limit): split the pipeline");
  for (size_t i = 0; i < spec.steps.size(); ++i) checkStep(ctx, i);
  validation::checkReferences(ctx);
  validation::checkConditions(ctx);
  validation::checkCycles(ctx);
  return errors;
}

}  // namespace sluice::pipeline

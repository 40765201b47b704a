#include "params.h"

#include <cctype>
#include <set>

#include "condition_eval.h"

namespace sluice::pipeline {

namespace {

bool isInteger(const std::string& v) {
  size_t i = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
  if (i == v.size() || v.size() > 19) return false;  // fits in int64
  for (; i < v.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
  return true;
}

bool isFloat(const std::string& v) {
  double ignored = 0;
  return parseDecimalNumber(v, ignored);
}

}  // namespace

std::optional<std::string> checkParameterValue(ParamType type, const std::string& value) {
  bool ok = true;
  switch (type) {
    case ParamType::String: ok = true; break;
    case ParamType::Integer: ok = isInteger(value); break;
    case ParamType::Float: ok = isFloat(value); break;
    case ParamType::Boolean: ok = value == "true" || value == "false"; break;
  }
  if (ok) return std::nullopt;
  return "\"" + value + "\" is not a valid " + toString(type);
}

std::string ParameterError::message() const {
  std::string m;
  for (const auto& p : problems) m += (m.empty() ? "" : "; ") + p;
  return m;
}

std::variant<std::vector<ResolvedParameter>, ParameterError> resolveParameters(
    const std::vector<ParameterSpec>& declared, const std::vector<ParameterValue>& overrides,
    const std::vector<ResolvedParameter>* sourceParameters) {
  ParameterError err;
  std::set<std::string> declaredNames, seen;
  for (const auto& d : declared) declaredNames.insert(d.name);
  for (const auto& o : overrides) {
    if (!declaredNames.count(o.name)) err.problems.push_back("unknown parameter \"" + o.name + "\"");
    if (!seen.insert(o.name).second) err.problems.push_back("parameter \"" + o.name + "\" is given twice");
  }

  std::vector<ResolvedParameter> out;
  for (const auto& d : declared) {
    ResolvedParameter r{d.name, "", ParameterSource::Default};
    bool found = false;
    for (const auto& o : overrides)
      if (o.name == d.name) {
        r.value = o.value;
        r.source = ParameterSource::Override;
        found = true;
        break;
      }
    if (!found && sourceParameters)
      for (const auto& s : *sourceParameters)
        if (s.name == d.name) {
          r.value = s.value;
          r.source = ParameterSource::Reference;
          found = true;
          break;
        }
    if (!found && d.defaultValue) {
      r.value = *d.defaultValue;
      found = true;
    }
    if (!found) {
      err.problems.push_back("parameter \"" + d.name + "\" has no value and no default");
      continue;
    }
    if (auto bad = checkParameterValue(d.type, r.value))
      err.problems.push_back("parameter \"" + d.name + "\": " + *bad);
    out.push_back(std::move(r));
  }
  if (!err.problems.empty()) return err;
  return out;
}

}  // namespace sluice::pipeline

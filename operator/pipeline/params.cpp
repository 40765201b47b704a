#include "params.h"

#include <set>

#include "validation.h"

namespace sluice::pipeline {

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
    if (auto bad = validateParameterValue(d.type, r.value))
      err.problems.push_back("parameter \"" + d.name + "\": " + *bad);
    out.push_back(std::move(r));
  }
  if (!err.problems.empty()) return err;
  return out;
}

}  // namespace sluice::pipeline

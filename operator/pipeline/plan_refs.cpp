#include "plan_refs.h"

#include "expression.h"
#include "step_fields.h"

namespace sluice::pipeline {

std::set<std::string> referencedParameters(const StepSpec& step) {
  std::set<std::string> names;
  forEachExpressionField(step, [&](const std::string&, const std::string& text) {
    auto refs = findReferences(text);
    if (auto* list = std::get_if<std::vector<ExprRef>>(&refs))
      for (const auto& r : *list)
        if (r.kind == RefKind::Param) names.insert(r.name);
  });
  return names;
}

std::vector<ParameterValue> consumedParameters(const StepSpec& step, const std::vector<ResolvedParameter>& effective) {
  const auto names = referencedParameters(step);
  std::vector<ParameterValue> out;
  for (const auto& p : effective)
    if (names.count(p.name)) out.push_back({p.name, p.value});
  return out;
}

}  // namespace sluice::pipeline

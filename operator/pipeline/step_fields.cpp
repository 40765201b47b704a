#include "step_fields.h"

namespace sluice::pipeline {
namespace {

std::string indexed(const std::string& base, size_t i) { return base + "[" + std::to_string(i) + "]"; }

// Wire shape: comparisons have left/right, In has value/values, Not has a
// single "condition", Or has "conditions".
void visitCondition(const Condition& c, const std::string& path, const ExpressionFieldVisitor& visit) {
  switch (c.type) {
    case ConditionType::In:
      visit(path + ".value", c.value);
      for (size_t i = 0; i < c.values.size(); ++i) visit(indexed(path + ".values", i), c.values[i]);
      break;
    case ConditionType::Not:
      if (!c.children.empty()) visitCondition(c.children.front(), path + ".condition", visit);
      break;
    case ConditionType::Or:
      for (size_t i = 0; i < c.children.size(); ++i)
        visitCondition(c.children[i], indexed(path + ".conditions", i), visit);
      break;
    default:
      visit(path + ".left", c.left);
      visit(path + ".right", c.right);
      break;
  }
}

}  // namespace

void forEachExpressionField(const StepSpec& step, const ExpressionFieldVisitor& visit) {
  if (step.container) {
    const ContainerSpec& c = *step.container;
    visit("container.image", c.image);
    for (size_t i = 0; i < c.command.size(); ++i) visit(indexed("container.command", i), c.command[i]);
    for (size_t i = 0; i < c.args.size(); ++i) visit(indexed("container.args", i), c.args[i]);
    for (size_t i = 0; i < c.env.size(); ++i) visit(indexed("container.env", i) + ".value", c.env[i].value);
    visit("container.workingDir", c.workingDir);
  }
  for (size_t i = 0; i < step.inputs.size(); ++i) visit(indexed("inputs", i) + ".from", step.inputs[i].from);
  if (step.condition) {
    const auto& conds = step.condition->conditions;
    for (size_t i = 0; i < conds.size(); ++i) visitCondition(conds[i], indexed("condition.conditions", i), visit);
  }
  if (step.fail) visit("fail.message", step.fail->message);
}

}  // namespace sluice::pipeline

// Every string of a step that may hold $(...) expressions, with its field
// path relative to the step ("container.args[1]", "inputs[0].from",
// "condition.conditions[0].left", ...). Shared by the DAG (which edges a
// step has) and the validator (where a bad reference sits), so the two can
// never disagree on which fields are expression-bearing.
#pragma once

#include <functional>
#include <string>

#include "model.h"

namespace sluice::pipeline {

using ExpressionFieldVisitor = std::function<void(const std::string& path, const std::string& text)>;

// Calls visit for each expression-bearing string, in a stable order.
void forEachExpressionField(const StepSpec& step, const ExpressionFieldVisitor& visit);

}  // namespace sluice::pipeline

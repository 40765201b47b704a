// Evaluation of a condition step's conditions (AND-ed), DESIGN.md "API":
// operands are rendered with the given resolver, then compared numerically
// when both parse as decimal numbers and as strings when neither does.
// A number compared with a non-number is an error (the step fails with the
// returned reason). In matches when the value equals one of the values
// (numerically when both are numbers; a number never equals a non-number).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "expression.h"
#include "model.h"

namespace sluice::pipeline {

// true/false, or the reason the conditions could not be evaluated.
std::variant<bool, std::string> evaluateConditions(const std::vector<Condition>& conditions,
                                                   const RefResolver& resolve);

// Decimal number ("4.37", "-2", "1e3"); no "inf", "nan" or hex.
bool parseDecimalNumber(const std::string& text, double& out);

}  // namespace sluice::pipeline

// Dotted JSON paths for step properties: "regression_metrics.mse.value",
// with array indices as "items.0.score" or "items[0].score"; a leading "$."
// is accepted. The result is the value as text: strings unquoted, numbers
// in shortest round-trip form (4.37 stays "4.37"), true/false/null, and
// objects/arrays as compact JSON.
#pragma once

#include <stdexcept>
#include <string>

namespace sluice::runner {

class JsonPathError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws JsonPathError saying where the path stopped matching, or that the
// text is not JSON.
std::string extractJsonPath(const std::string& jsonText, const std::string& path);

}  // namespace sluice::runner

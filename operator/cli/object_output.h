// -o json / yaml / name for API objects and plan previews.
#pragma once

#include <string>

#include <cpprest/json.h>

namespace sluice::cli {

// YAML for a JSON value: block style, keys in the JSON's order, strings
// quoted only where YAML needs it (so "true" and "1" stay strings).
std::string toYaml(const web::json::value& v);
// Pretty JSON, 2-space indented, newline-terminated.
std::string toPrettyJson(const web::json::value& v);
// "pipelineexecution.sluice.dev/NAME".
std::string executionResourceName(const std::string& name);

}  // namespace sluice::cli

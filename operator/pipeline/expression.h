// Expressions inside pipeline strings: $(params.X), $(steps.S.outputs.O),
// $(steps.S.properties.P), $(execution.name|uid|startTime), $(pipeline.name).
// "$$(" is an escape for a literal "$(". Pure code, no I/O.
//
// Rendering substitutes inside one string and yields one string: an argv
// token stays one argv token whatever the values contain (no shell, no
// word splitting).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::pipeline {

enum class RefKind {
  Param,               // $(params.NAME)
  StepOutput,          // $(steps.STEP.outputs.NAME)
  StepProperty,        // $(steps.STEP.properties.NAME)
  ExecutionName,       // $(execution.name)
  ExecutionUid,        // $(execution.uid)
  ExecutionStartTime,  // $(execution.startTime)
  PipelineName,        // $(pipeline.name)
};

struct ExprRef {
  RefKind kind = RefKind::Param;
  std::string step;  // StepOutput / StepProperty only
  std::string name;  // Param / StepOutput / StepProperty
  size_t pos = 0;    // byte offset of the "$(" in the source string
  size_t len = 0;    // length of the whole "$(...)"
  bool operator==(const ExprRef& o) const {
    return kind == o.kind && step == o.step && name == o.name && pos == o.pos && len == o.len;
  }
};

struct ExprError {
  size_t pos = 0;       // byte offset where the problem starts
  std::string message;  // e.g. "unterminated expression", "unknown root \"foo\""
};

// A parsed string: literal text (escapes already resolved) and references.
struct TemplateSegment {
  std::string literal;        // used when !ref
  std::optional<ExprRef> ref;  // set for a reference
};
struct ParsedTemplate {
  std::vector<TemplateSegment> segments;
  bool hasRefs() const;
};

// Parses text; on error returns the first problem with its position.
std::variant<ParsedTemplate, ExprError> parseTemplate(std::string_view text);

// Every reference in text, or the first parse error.
std::variant<std::vector<ExprRef>, ExprError> findReferences(std::string_view text);

// Resolves a reference to its value; nullopt = cannot be resolved (the
// renderer reports it as an error naming the expression).
using RefResolver = std::function<std::optional<std::string>(const ExprRef&)>;

// Renders parsed text with resolver; error names the unresolved reference
// and its position.
std::variant<std::string, ExprError> render(const ParsedTemplate& t, const RefResolver& resolve);
// Convenience: parse + render.
std::variant<std::string, ExprError> renderString(std::string_view text, const RefResolver& resolve);

// "$(steps.Train.outputs.model)" for messages.
std::string toExpressionText(const ExprRef& r);

}  // namespace sluice::pipeline

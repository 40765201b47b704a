// Parser and renderer for $(...) expressions (see expression.h).
//
// Grammar, kept deliberately small so that error positions are exact:
//   text   := ( "$$(" | "$(" path ")" | any other byte )*
//   path   := ident ( "." ident )*
//   ident  := [A-Za-z0-9_-]+
// The path must then be one of the known shapes (params.N, steps.S.outputs.N,
// steps.S.properties.N, execution.name|uid|startTime, pipeline.name).
#include "expression.h"

#include <utility>

namespace sluice::pipeline {
namespace {

bool isIdentChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

struct Ident {
  std::string text;
  size_t pos;  // byte offset in the whole source string
};

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// Splits the body of "$(...)" (starting at bodyPos) into identifiers.
std::variant<std::vector<Ident>, ExprError> splitPath(std::string_view body, size_t bodyPos) {
  std::vector<Ident> parts;
  if (body.empty()) return ExprError{bodyPos, "empty expression"};
  size_t start = 0;
  for (size_t i = 0; i <= body.size(); ++i) {
    if (i == body.size() || body[i] == '.') {
      if (i == start) return ExprError{bodyPos + i, "empty name in expression"};
      parts.push_back({std::string(body.substr(start, i - start)), bodyPos + start});
      start = i + 1;
    } else if (!isIdentChar(body[i])) {
      return ExprError{bodyPos + i, "invalid character " + quoted(std::string(1, body[i])) +
                                        " in expression (names use A-Z a-z 0-9 _ -)"};
    }
  }
  return parts;
}

ExprError wrongShape(const Ident& root, const char* expected) {
  return ExprError{root.pos, "expected " + std::string(expected)};
}

std::variant<ExprRef, ExprError> classify(const std::vector<Ident>& p) {
  const Ident& root = p.front();
  ExprRef ref;
  if (root.text == "params") {
    if (p.size() != 2) return wrongShape(root, "$(params.NAME)");
    ref.kind = RefKind::Param;
    ref.name = p[1].text;
    return ref;
  }
  if (root.text == "steps") {
    if (p.size() != 4) return wrongShape(root, "$(steps.STEP.outputs.NAME) or $(steps.STEP.properties.NAME)");
    if (p[2].text == "outputs") {
      ref.kind = RefKind::StepOutput;
    } else if (p[2].text == "properties") {
      ref.kind = RefKind::StepProperty;
    } else {
      return ExprError{p[2].pos, "unknown step field " + quoted(p[2].text) +
                                     " (expected \"outputs\" or \"properties\")"};
    }
    ref.step = p[1].text;
    ref.name = p[3].text;
    return ref;
  }
  if (root.text == "execution") {
    if (p.size() != 2) return wrongShape(root, "$(execution.name), $(execution.uid) or $(execution.startTime)");
    if (p[1].text == "name") {
      ref.kind = RefKind::ExecutionName;
    } else if (p[1].text == "uid") {
      ref.kind = RefKind::ExecutionUid;
    } else if (p[1].text == "startTime") {
      ref.kind = RefKind::ExecutionStartTime;
    } else {
      return ExprError{p[1].pos, "unknown execution field " + quoted(p[1].text) +
                                     " (expected name, uid or startTime)"};
    }
    return ref;
  }
  if (root.text == "pipeline") {
    if (p.size() != 2 || p[1].text != "name") return wrongShape(root, "$(pipeline.name)");
    ref.kind = RefKind::PipelineName;
    return ref;
  }
  return ExprError{root.pos, "unknown root " + quoted(root.text) +
                                 " (expected params, steps, execution or pipeline)"};
}

void appendLiteral(ParsedTemplate& t, std::string_view text) {
  if (text.empty()) return;
  if (t.segments.empty() || t.segments.back().ref) t.segments.push_back({});
  t.segments.back().literal.append(text);
}

}  // namespace

bool ParsedTemplate::hasRefs() const {
  for (const auto& s : segments) {
    if (s.ref) return true;
  }
  return false;
}

std::variant<ParsedTemplate, ExprError> parseTemplate(std::string_view text) {
  ParsedTemplate out;
  size_t i = 0;
  size_t literalStart = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$$(") == 0) {
      appendLiteral(out, text.substr(literalStart, i - literalStart));
      appendLiteral(out, "$(");
      i += 3;
      literalStart = i;
      continue;
    }
    if (text.compare(i, 2, "$(") != 0) {
      ++i;
      continue;
    }
    appendLiteral(out, text.substr(literalStart, i - literalStart));
    size_t close = text.find(')', i + 2);
    if (close == std::string_view::npos) return ExprError{i, "unterminated expression (missing \")\")"};
    auto parts = splitPath(text.substr(i + 2, close - i - 2), i + 2);
    if (auto* err = std::get_if<ExprError>(&parts)) return *err;
    auto ref = classify(std::get<std::vector<Ident>>(parts));
    if (auto* err = std::get_if<ExprError>(&ref)) return *err;
    ExprRef r = std::get<ExprRef>(std::move(ref));
    r.pos = i;
    r.len = close + 1 - i;
    out.segments.push_back({"", std::move(r)});
    i = close + 1;
    literalStart = i;
  }
  appendLiteral(out, text.substr(literalStart));
  return out;
}

std::variant<std::vector<ExprRef>, ExprError> findReferences(std::string_view text) {
  auto parsed = parseTemplate(text);
  if (auto* err = std::get_if<ExprError>(&parsed)) return *err;
  std::vector<ExprRef> refs;
  for (auto& s : std::get<ParsedTemplate>(parsed).segments) {
    if (s.ref) refs.push_back(*s.ref);
  }
  return refs;
}

std::variant<std::string, ExprError> render(const ParsedTemplate& t, const RefResolver& resolve) {
  std::string out;
  for (const auto& s : t.segments) {
    if (!s.ref) {
      out += s.literal;
      continue;
    }
    std::optional<std::string> value = resolve(*s.ref);
    if (!value) return ExprError{s.ref->pos, "cannot resolve " + toExpressionText(*s.ref)};
    out += *value;
  }
  return out;
}

std::variant<std::string, ExprError> renderString(std::string_view text, const RefResolver& resolve) {
  auto parsed = parseTemplate(text);
  if (auto* err = std::get_if<ExprError>(&parsed)) return *err;
  return render(std::get<ParsedTemplate>(parsed), resolve);
}

std::string toExpressionText(const ExprRef& r) {
  switch (r.kind) {
    case RefKind::Param:
      return "$(params." + r.name + ")";
    case RefKind::StepOutput:
      return "$(steps." + r.step + ".outputs." + r.name + ")";
    case RefKind::StepProperty:
      return "$(steps." + r.step + ".properties." + r.name + ")";
    case RefKind::ExecutionName:
      return "$(execution.name)";
    case RefKind::ExecutionUid:
      return "$(execution.uid)";
    case RefKind::ExecutionStartTime:
      return "$(execution.startTime)";
    case RefKind::PipelineName:
      return "$(pipeline.name)";
  }
  return "$(?)";
}

}  // namespace sluice::pipeline

#include <gtest/gtest.h>

#include <map>

#include "expression.h"

namespace sluice::pipeline {
namespace {

ExprRef ref(RefKind kind, std::string step, std::string name, size_t pos, size_t len) {
  return ExprRef{kind, std::move(step), std::move(name), pos, len};
}

struct ParseOkCase {
  const char* name;
  std::string text;
  std::vector<ExprRef> refs;
};

TEST(Expression, FindsReferences) {
  const std::vector<ParseOkCase> cases = {
      {"plain text", "--input", {}},
      {"empty", "", {}},
      {"param", "$(params.InputData)", {ref(RefKind::Param, "", "InputData", 0, 19)}},
      {"param inside text", "x=$(params.A)!", {ref(RefKind::Param, "", "A", 2, 11)}},
      {"step output", "$(steps.Train.outputs.model)", {ref(RefKind::StepOutput, "Train", "model", 0, 28)}},
      {"step property",
       "$(steps.Evaluate.properties.mse)",
       {ref(RefKind::StepProperty, "Evaluate", "mse", 0, 32)}},
      {"execution name", "$(execution.name)", {ref(RefKind::ExecutionName, "", "", 0, 17)}},
      {"execution uid", "$(execution.uid)", {ref(RefKind::ExecutionUid, "", "", 0, 16)}},
      {"execution start", "$(execution.startTime)", {ref(RefKind::ExecutionStartTime, "", "", 0, 22)}},
      {"pipeline name", "$(pipeline.name)", {ref(RefKind::PipelineName, "", "", 0, 16)}},
      {"two refs",
       "$(params.a)-$(params.b_2)",
       {ref(RefKind::Param, "", "a", 0, 11), ref(RefKind::Param, "", "b_2", 12, 13)}},
      {"escape is not a ref", "$$(params.A)", {}},
      {"escape then ref", "$$(x) $(params.A)", {ref(RefKind::Param, "", "A", 6, 11)}},
      {"lone dollar", "cost $5 (approx)", {}},
      {"dash and digits in names", "$(steps.step-1.outputs.out_2)",
       {ref(RefKind::StepOutput, "step-1", "out_2", 0, 29)}},
  };
  for (const auto& c : cases) {
    auto got = findReferences(c.text);
    ASSERT_TRUE(std::holds_alternative<std::vector<ExprRef>>(got))
        << c.name << ": " << std::get<ExprError>(got).message;
    EXPECT_EQ(std::get<std::vector<ExprRef>>(got), c.refs) << c.name;
  }
}

struct ParseErrorCase {
  const char* name;
  std::string text;
  size_t pos;
  std::string messagePart;
};

TEST(Expression, ReportsErrorsWithPosition) {
  const std::vector<ParseErrorCase> cases = {
      {"unterminated", "ab $(params.A", 3, "unterminated expression"},
      {"empty", "$()", 2, "empty expression"},
      {"unknown root", "x $(foo.bar)", 4, "unknown root \"foo\""},
      {"params missing name", "$(params)", 2, "expected $(params.NAME)"},
      {"params too deep", "$(params.a.b)", 2, "expected $(params.NAME)"},
      {"empty segment", "$(params..a)", 9, "empty name"},
      {"trailing dot", "$(params.a.)", 11, "empty name"},
      {"space inside", "$(params. a)", 9, "invalid character \" \""},
      {"nested", "$(params.$(x))", 9, "invalid character \"$\""},
      {"bad step field", "$(steps.S.output.o)", 10, "unknown step field \"output\""},
      {"step too short", "$(steps.S.outputs)", 2, "expected $(steps.STEP.outputs.NAME)"},
      {"bad execution field", "$(execution.namespace)", 12, "unknown execution field \"namespace\""},
      {"pipeline other field", "$(pipeline.uid)", 2, "expected $(pipeline.name)"},
      {"second ref bad", "$(params.a) $(nope)", 14, "unknown root \"nope\""},
  };
  for (const auto& c : cases) {
    auto got = parseTemplate(c.text);
    ASSERT_TRUE(std::holds_alternative<ExprError>(got)) << c.name;
    const auto& err = std::get<ExprError>(got);
    EXPECT_EQ(err.pos, c.pos) << c.name << ": " << err.message;
    EXPECT_NE(err.message.find(c.messagePart), std::string::npos) << c.name << ": " << err.message;
  }
}

struct RenderCase {
  const char* name;
  std::string text;
  std::string want;
};

TEST(Expression, RendersWholeTokens) {
  const std::map<std::string, std::string> values = {
      {"$(params.A)", "1 2; rm -rf /"},  // stays one token, nothing interprets it
      {"$(steps.Train.outputs.model)", "s3://b/p/ns/pl/ex/Train/model/"},
      {"$(execution.name)", "abalone-x1"},
      {"$(pipeline.name)", "abalone"},
      {"$(params.Empty)", ""},
  };
  RefResolver resolve = [&](const ExprRef& r) -> std::optional<std::string> {
    auto it = values.find(toExpressionText(r));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
  const std::vector<RenderCase> cases = {
      {"literal", "--eta", "--eta"},
      {"whole value", "$(params.A)", "1 2; rm -rf /"},
      {"embedded", "--model=$(steps.Train.outputs.model)", "--model=s3://b/p/ns/pl/ex/Train/model/"},
      {"several", "$(pipeline.name)/$(execution.name)", "abalone/abalone-x1"},
      {"escape", "echo $$(params.A)", "echo $(params.A)"},
      {"escape next to ref", "$$($(params.Empty))", "$()"},
      {"empty value", "[$(params.Empty)]", "[]"},
      {"value with expression text is not re-expanded", "$(params.A)$(params.Empty)", "1 2; rm -rf /"},
  };
  for (const auto& c : cases) {
    auto got = renderString(c.text, resolve);
    ASSERT_TRUE(std::holds_alternative<std::string>(got)) << c.name << ": " << std::get<ExprError>(got).message;
    EXPECT_EQ(std::get<std::string>(got), c.want) << c.name;
  }
}

TEST(Expression, ValuesAreNotReExpanded) {
  RefResolver resolve = [](const ExprRef&) -> std::optional<std::string> { return "$(params.B)"; };
  auto got = renderString("$(params.A)", resolve);
  ASSERT_TRUE(std::holds_alternative<std::string>(got));
  EXPECT_EQ(std::get<std::string>(got), "$(params.B)");
}

TEST(Expression, UnresolvedReferenceNamesExpressionAndPosition) {
  RefResolver none = [](const ExprRef&) -> std::optional<std::string> { return std::nullopt; };
  auto got = renderString("--x=$(steps.S.properties.p)", none);
  ASSERT_TRUE(std::holds_alternative<ExprError>(got));
  EXPECT_EQ(std::get<ExprError>(got).pos, 4u);
  EXPECT_EQ(std::get<ExprError>(got).message, "cannot resolve $(steps.S.properties.p)");
}

TEST(Expression, ParseErrorSurfacesFromRenderString) {
  RefResolver any = [](const ExprRef&) -> std::optional<std::string> { return "v"; };
  auto got = renderString("$(params.A", any);
  ASSERT_TRUE(std::holds_alternative<ExprError>(got));
  EXPECT_EQ(std::get<ExprError>(got).pos, 0u);
}

TEST(Expression, HasRefsAndExpressionText) {
  auto plain = std::get<ParsedTemplate>(parseTemplate("a $$(b)"));
  EXPECT_FALSE(plain.hasRefs());
  auto withRef = std::get<ParsedTemplate>(parseTemplate("a $(params.b)"));
  EXPECT_TRUE(withRef.hasRefs());
  for (std::string text : {"$(params.X)", "$(steps.S.outputs.O)", "$(steps.S.properties.P)", "$(execution.name)",
                           "$(execution.uid)", "$(execution.startTime)", "$(pipeline.name)"}) {
    auto refs = std::get<std::vector<ExprRef>>(findReferences(text));
    ASSERT_EQ(refs.size(), 1u) << text;
    EXPECT_EQ(toExpressionText(refs[0]), text);
  }
}

}  // namespace
}  // namespace sluice::pipeline

// Condition evaluation: numeric vs string comparison, the number/non-number
// error, In, Not, Or, AND of the list, and rendering errors.
#include <gtest/gtest.h>

#include <map>

#include "condition_eval.h"

namespace sluice::pipeline {
namespace {

Condition cmp(ConditionType t, std::string l, std::string r) {
  Condition c;
  c.type = t;
  c.left = std::move(l);
  c.right = std::move(r);
  return c;
}
Condition in(std::string v, std::vector<std::string> vs) {
  Condition c;
  c.type = ConditionType::In;
  c.value = std::move(v);
  c.values = std::move(vs);
  return c;
}
Condition notOf(Condition x) {
  Condition c;
  c.type = ConditionType::Not;
  c.children = {std::move(x)};
  return c;
}
Condition orOf(std::vector<Condition> xs) {
  Condition c;
  c.type = ConditionType::Or;
  c.children = std::move(xs);
  return c;
}

RefResolver resolver() {
  static const std::map<std::string, std::string> params = {{"Threshold", "6"}, {"Name", "abalone"}};
  return [](const ExprRef& r) -> std::optional<std::string> {
    if (r.kind == RefKind::StepProperty && r.step == "Evaluate" && r.name == "mse") return "4.37";
    if (r.kind != RefKind::Param) return std::nullopt;
    auto it = params.find(r.name);
    if (it == params.end()) return std::nullopt;
    return it->second;
  };
}

using CT = ConditionType;

TEST(ConditionEval, OutcomesTable) {
  struct Row {
    const char* name;
    std::vector<Condition> conds;
    bool expected;
  };
  const std::vector<Row> rows = {
      {"LessThanOrEqualTo numeric", {cmp(CT::LessThanOrEqualTo, "$(steps.Evaluate.properties.mse)", "$(params.Threshold)")}, true},
      {"numeric not lexicographic", {cmp(CT::LessThan, "9", "10")}, true},
      {"GreaterThan false", {cmp(CT::GreaterThan, "4.37", "6")}, false},
      {"GreaterThanOrEqualTo equal", {cmp(CT::GreaterThanOrEqualTo, "6", "6.0")}, true},
      {"LessThan equal", {cmp(CT::LessThan, "6", "6")}, false},
      {"Equals numeric 6 == 6.0", {cmp(CT::Equals, "6", "6.0")}, true},
      {"Equals strings", {cmp(CT::Equals, "$(params.Name)", "abalone")}, true},
      {"NotEquals strings", {cmp(CT::NotEquals, "a", "b")}, true},
      {"string ordering", {cmp(CT::LessThan, "apple", "banana")}, true},
      {"In numeric", {in("6", {"1", "6.0"})}, true},
      {"In strings", {in("$(params.Name)", {"x", "abalone"})}, true},
      {"In empty", {in("a", {})}, false},
      {"Not", {notOf(cmp(CT::Equals, "1", "2"))}, true},
      {"Or one true", {orOf({cmp(CT::Equals, "1", "2"), cmp(CT::Equals, "3", "3")})}, true},
      {"Or none", {orOf({cmp(CT::Equals, "1", "2"), cmp(CT::Equals, "3", "4")})}, false},
      {"AND of list", {cmp(CT::Equals, "1", "1"), cmp(CT::Equals, "1", "2")}, false},
      {"empty list is true", {}, true},
      {"escape is not substituted", {cmp(CT::Equals, "$$(params.Name)", "abalone")}, false},
      {"escape renders as literal text", {cmp(CT::Equals, "$$(params.Name)", "$$(params.Name)")}, true},
  };
  for (const auto& row : rows) {
    auto r = evaluateConditions(row.conds, resolver());
    ASSERT_TRUE(std::holds_alternative<bool>(r)) << row.name << ": " << std::get<std::string>(r);
    EXPECT_EQ(std::get<bool>(r), row.expected) << row.name;
  }
}

TEST(ConditionEval, ErrorsTable) {
  struct Row {
    const char* name;
    std::vector<Condition> conds;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {"number vs non-number", {cmp(CT::LessThanOrEqualTo, "4.37", "high")},
       "conditions[0] (LessThanOrEqualTo): cannot compare number \"4.37\" with non-number \"high\""},
      {"Equals mixed is an error too", {cmp(CT::Equals, "abc", "1")},
       "conditions[0] (Equals): cannot compare non-number \"abc\" with number \"1\""},
      {"nested path", {orOf({cmp(CT::Equals, "1", "1"), notOf(cmp(CT::GreaterThan, "x", "2"))})},
       "conditions[0].conditions[1].condition (GreaterThan): cannot compare non-number \"x\" with number \"2\""},
      {"unresolved reference", {cmp(CT::Equals, "$(params.Missing)", "1")}, "conditions[0].left: "},
      {"error in later list item", {cmp(CT::Equals, "1", "2"), cmp(CT::LessThan, "a", "1")},
       "conditions[1] (LessThan): cannot compare non-number \"a\" with number \"1\""},
      {"In with a mixed list", {in("6", {"six"})},
       "conditions[0] (In): cannot compare number \"6\" with non-number \"six\" (values[0])"},
      {"In mixed after a match is still an error", {in("a", {"a", "1"})},
       "conditions[0] (In): cannot compare non-number \"a\" with number \"1\" (values[1])"},
  };
  for (const auto& row : rows) {
    auto r = evaluateConditions(row.conds, resolver());
    ASSERT_TRUE(std::holds_alternative<std::string>(r)) << row.name;
    EXPECT_EQ(std::get<std::string>(r).rfind(row.expected, 0), 0u) << row.name << ": " << std::get<std::string>(r);
  }
}

TEST(ConditionEval, DecimalNumbers) {
  double d = 0;
  for (const char* ok : {"0", "-2", "4.37", "1e3", "+.5"}) EXPECT_TRUE(parseDecimalNumber(ok, d)) << ok;
  for (const char* bad : {"", "inf", "NaN", "0x1A", "1,5", "1 ", "e", "--1"}) EXPECT_FALSE(parseDecimalNumber(bad, d)) << bad;
}

}  // namespace
}  // namespace sluice::pipeline

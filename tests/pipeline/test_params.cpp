// Effective parameters: Override > Reference (source execution) > Default,
// with every problem reported (value checks per type: validation.h).
#include <gtest/gtest.h>

#include "params.h"

namespace sluice::pipeline {
namespace {

const std::vector<ParameterSpec> kDeclared = {
    {"InputData", ParamType::String, "s3://d/a.csv", ""},
    {"XGBNumRounds", ParamType::Integer, "120", ""},
    {"XGBETA", ParamType::Float, "0.25", ""},
    {"Approve", ParamType::Boolean, "false", ""},
};

TEST(Params, OverrideBeatsReferenceBeatsDefault) {
  const std::vector<ResolvedParameter> source = {
      {"XGBNumRounds", "150", ParameterSource::Override},
      {"XGBETA", "0.3", ParameterSource::Default},
      {"Gone", "x", ParameterSource::Override},  // no longer declared: ignored
  };
  auto r = resolveParameters(kDeclared, {{"XGBNumRounds", "200"}}, &source);
  ASSERT_TRUE(std::holds_alternative<std::vector<ResolvedParameter>>(r));
  const auto& ps = std::get<std::vector<ResolvedParameter>>(r);
  ASSERT_EQ(ps.size(), 4u);
  EXPECT_EQ(ps[0].value, "s3://d/a.csv");
  EXPECT_EQ(ps[0].source, ParameterSource::Default);
  EXPECT_EQ(ps[1].value, "200");
  EXPECT_EQ(ps[1].source, ParameterSource::Override);
  EXPECT_EQ(ps[2].value, "0.3");
  EXPECT_EQ(ps[2].source, ParameterSource::Reference);
  EXPECT_EQ(ps[3].source, ParameterSource::Default);
}

TEST(Params, WithoutASourceNothingIsAReference) {
  auto r = resolveParameters(kDeclared, {}, nullptr);
  ASSERT_TRUE(std::holds_alternative<std::vector<ResolvedParameter>>(r));
  for (const auto& p : std::get<std::vector<ResolvedParameter>>(r)) EXPECT_EQ(p.source, ParameterSource::Default);
}

TEST(Params, ProblemsAreAllReported) {
  struct Row {
    const char* name;
    std::vector<ParameterSpec> declared;
    std::vector<ParameterValue> overrides;
    std::vector<std::string> problems;
  };
  const std::vector<Row> rows = {
      {"unknown override", kDeclared, {{"Nope", "1"}}, {"unknown parameter \"Nope\""}},
      {"bad integer", kDeclared, {{"XGBNumRounds", "lots"}},
       {"parameter \"XGBNumRounds\": must be an Integer, got \"lots\""}},
      {"two problems", kDeclared, {{"Approve", "1"}, {"XGBETA", "fast"}},
       {"parameter \"XGBETA\": must be a Float, got \"fast\"", "parameter \"Approve\": must be true or false, got \"1\""}},
      {"duplicate", kDeclared, {{"XGBETA", "1"}, {"XGBETA", "2"}}, {"parameter \"XGBETA\" is given twice"}},
      {"no value", {{"Required", ParamType::String, std::nullopt, ""}}, {},
       {"parameter \"Required\" has no value and no default"}},
      {"bad default", {{"N", ParamType::Integer, "x", ""}}, {}, {"parameter \"N\": must be an Integer, got \"x\""}},
  };
  for (const auto& row : rows) {
    auto r = resolveParameters(row.declared, row.overrides, nullptr);
    ASSERT_TRUE(std::holds_alternative<ParameterError>(r)) << row.name;
    EXPECT_EQ(std::get<ParameterError>(r).problems, row.problems) << row.name;
  }
}

TEST(Params, AReferencedValueIsCheckedAgainstTheCurrentType) {
  const std::vector<ResolvedParameter> source = {{"XGBNumRounds", "1.5", ParameterSource::Override}};
  auto r = resolveParameters(kDeclared, {}, &source);
  ASSERT_TRUE(std::holds_alternative<ParameterError>(r));
  EXPECT_EQ(std::get<ParameterError>(r).message(), "parameter \"XGBNumRounds\": must be an Integer, got \"1.5\"");
}

}  // namespace
}  // namespace sluice::pipeline

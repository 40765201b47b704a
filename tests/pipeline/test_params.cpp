// Effective parameters: value checks per type and resolution
// Override > Reference (source execution) > Default.
#include <gtest/gtest.h>

#include "params.h"

namespace sluice::pipeline {
namespace {

TEST(Params, ValueChecksPerType) {
  struct Row {
    ParamType type;
    std::string value;
    bool ok;
  };
  const std::vector<Row> rows = {
      {ParamType::String, "", true},         {ParamType::String, "any thing $(x)", true},
      {ParamType::Integer, "120", true},     {ParamType::Integer, "-5", true},
      {ParamType::Integer, "+7", true},      {ParamType::Integer, "1.5", false},
      {ParamType::Integer, "", false},       {ParamType::Integer, "12a", false},
      {ParamType::Integer, "-", false},      {ParamType::Integer, "99999999999999999999", false},
      {ParamType::Float, "0.25", true},      {ParamType::Float, "6", true},
      {ParamType::Float, "-1e-3", true},     {ParamType::Float, "abc", false},
      {ParamType::Float, "inf", false},      {ParamType::Float, "nan", false},
      {ParamType::Float, "0x10", false},     {ParamType::Float, " 1", false},
      {ParamType::Float, "1e999", false},    {ParamType::Boolean, "true", true},
      {ParamType::Boolean, "false", true},   {ParamType::Boolean, "True", false},
      {ParamType::Boolean, "yes", false},    {ParamType::Boolean, "", false},
  };
  for (const auto& row : rows) {
    const auto problem = checkParameterValue(row.type, row.value);
    EXPECT_EQ(!problem.has_value(), row.ok) << toString(row.type) << " \"" << row.value << "\"";
    if (problem) {
      EXPECT_NE(problem->find(toString(row.type)), std::string::npos) << *problem;
    }
  }
}

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
       {"parameter \"XGBNumRounds\": \"lots\" is not a valid Integer"}},
      {"two problems", kDeclared, {{"Approve", "1"}, {"XGBETA", "fast"}},
       {"parameter \"XGBETA\": \"fast\" is not a valid Float", "parameter \"Approve\": \"1\" is not a valid Boolean"}},
      {"duplicate", kDeclared, {{"XGBETA", "1"}, {"XGBETA", "2"}}, {"parameter \"XGBETA\" is given twice"}},
      {"no value", {{"Required", ParamType::String, std::nullopt, ""}}, {},
       {"parameter \"Required\" has no value and no default"}},
      {"bad default", {{"N", ParamType::Integer, "x", ""}}, {}, {"parameter \"N\": \"x\" is not a valid Integer"}},
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
  EXPECT_EQ(std::get<ParameterError>(r).message(), "parameter \"XGBNumRounds\": \"1.5\" is not a valid Integer");
}

}  // namespace
}  // namespace sluice::pipeline

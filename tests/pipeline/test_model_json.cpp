#include <gtest/gtest.h>

#include "model.h"

namespace sluice::pipeline {
namespace {

// Every enum value survives toString -> fromString, and names are the wire names.
TEST(ModelNames, EnumsRoundTrip) {
  for (auto v : {ParamType::String, ParamType::Integer, ParamType::Float, ParamType::Boolean})
    EXPECT_EQ(paramTypeFromString(toString(v)), v);
  for (int i = 0; i <= static_cast<int>(ConditionType::Or); ++i) {
    auto v = static_cast<ConditionType>(i);
    EXPECT_EQ(conditionTypeFromString(toString(v)), v) << toString(v);
  }
  for (int i = 0; i <= static_cast<int>(ExecutionPhase::Succeeded); ++i) {
    auto v = static_cast<ExecutionPhase>(i);
    EXPECT_EQ(executionPhaseFromString(toString(v)), v) << toString(v);
  }
  for (int i = 0; i <= static_cast<int>(StepPhase::Skipped); ++i) {
    auto v = static_cast<StepPhase>(i);
    EXPECT_EQ(stepPhaseFromString(toString(v)), v) << toString(v);
  }
  for (auto v : {ParameterSource::Override, ParameterSource::Reference, ParameterSource::Default})
    EXPECT_EQ(parameterSourceFromString(toString(v)), v);
}

TEST(ModelNames, WireNames) {
  EXPECT_STREQ(toString(ConditionType::LessThanOrEqualTo), "LessThanOrEqualTo");
  EXPECT_STREQ(toString(StepPhase::Skipped), "Skipped");
  EXPECT_STREQ(toString(ExecutionPhase::Stopping), "Stopping");
  EXPECT_STREQ(toString(ParameterSource::Reference), "Reference");
  EXPECT_STREQ(toString(ParamType::Boolean), "Boolean");
}

TEST(ModelNames, UnknownAndCaseMismatchRejected) {
  for (const char* s : {"", "string", "INTEGER", "Bool", " String"}) EXPECT_FALSE(paramTypeFromString(s)) << s;
  EXPECT_FALSE(conditionTypeFromString("lessThan"));
  EXPECT_FALSE(executionPhaseFromString("Running"));
  EXPECT_FALSE(stepPhaseFromString("succeeded"));
  EXPECT_FALSE(parameterSourceFromString("Explicit"));
}

}  // namespace
}  // namespace sluice::pipeline

// The execution `start`/`rerun`/`plan` ask for, from the command line.
#include <gtest/gtest.h>

#include "cli/run_request.h"

namespace sluice::cli {
namespace {

using web::json::value;
namespace pl = sluice::pipeline;

TEST(RunRequest, ParamsFromTakesEarlierValuesTheCommandLineOverrides) {
  RunRequest r;
  r.parameters = {{"B", "from-cli"}};
  const std::vector<pl::ParameterSpec> declared = {
      {"A", pl::ParamType::String, "a0", ""}, {"B", pl::ParamType::String, "b0", ""}, {"C", pl::ParamType::String, "c0", ""}};
  // Z is no longer declared by the Pipeline: it is not carried over.
  const std::vector<pl::ResolvedParameter> earlier = {{"A", "a1", pl::ParameterSource::Override},
                                                      {"B", "b1", pl::ParameterSource::Default},
                                                      {"Z", "z1", pl::ParameterSource::Override}};
  auto out = explicitParameters(r, declared, &earlier);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "A");
  EXPECT_EQ(out[0].value, "a1");
  EXPECT_EQ(out[1].name, "B");
  EXPECT_EQ(out[1].value, "from-cli");
  EXPECT_EQ(explicitParameters(r, declared, nullptr).size(), 1u);
}

TEST(RunRequest, ManifestCarriesPipelineSelectionAndParallelism) {
  RunRequest r;
  r.pipeline = "abalone";
  r.from = "abalone-x";
  r.fromSteps = {"Evaluate"};
  r.allowStaleReuse = true;
  r.maxParallelSteps = 2;
  const value m = executionManifest(r, "ml", {{"XGBETA", "0.3"}});
  EXPECT_EQ(m.at("metadata").at("generateName").as_string(), "abalone-");
  EXPECT_EQ(m.at("metadata").at("namespace").as_string(), "ml");
  EXPECT_EQ(m.at("metadata").at("labels").at("sluice.dev/pipeline").as_string(), "abalone");
  const value& spec = m.at("spec");
  EXPECT_EQ(spec.at("pipelineRef").at("name").as_string(), "abalone");
  EXPECT_EQ(spec.at("parameters").at(0).at("value").as_string(), "0.3");
  const value& sel = spec.at("selectiveExecution");
  EXPECT_EQ(sel.at("sourceExecution").as_string(), "abalone-x");
  EXPECT_EQ(sel.at("fromSteps").at(0).as_string(), "Evaluate");
  EXPECT_FALSE(sel.has_field("fromFailure"));
  EXPECT_TRUE(sel.at("allowStaleReuse").as_bool());
  EXPECT_EQ(spec.at("maxParallelSteps").as_integer(), 2);
}

TEST(RunRequest, ASourceWithoutASelectionReRunsWhatFailed) {
  RunRequest r;  // `rerun X`
  r.pipeline = "abalone";
  r.from = "abalone-x";
  const value m = executionManifest(r, "ml", {});
  EXPECT_TRUE(m.at("spec").at("selectiveExecution").at("fromFailure").as_bool());
  RunRequest plain;
  plain.pipeline = "abalone";
  EXPECT_FALSE(executionManifest(plain, "ml", {}).at("spec").has_field("selectiveExecution"));
}

}  // namespace
}  // namespace sluice::cli

// Rendering of tables, step trees, parameters, diffs, DAGs and YAML, against
// golden files (SLUICE_UPDATE_GOLDEN=1 rewrites them; review the diff).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/completion.h"
#include "cli/execution_view.h"
#include "cli/object_output.h"
#include "cli/table.h"
#include "cli_fixtures.h"

namespace sluice::cli {
namespace {

using namespace sluice::cli::testing;
using web::json::value;

void expectGolden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(SLUICE_CLI_GOLDEN_DIR) + "/" + name;
  if (std::getenv("SLUICE_UPDATE_GOLDEN")) std::ofstream(path) << actual;
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(actual, ss.str()) << "golden " << name << " differs; actual:\n" << actual;
}

PipelineExecution failedRun() {
  auto x = completedRun(abalonePipeline(), "broken", kT0 + 600, "4.37", {{"XGBNumRounds", "150"}}, 5);
  return x;
}

TEST(Table, PadsColumnsByCodePointsAndTrimsTrailingBlanks) {
  EXPECT_EQ(renderTable({"A", "LONGER", "C"}, {{"✔ x", "1", ""}, {"yy", "22", "3"}}),
            "A     LONGER   C\n"
            "✔ x   1\n"
            "yy    22       3\n");
  EXPECT_EQ(displayWidth("✔ ok"), 4u);
}

TEST(Format, AgesAndDurationsReadLikeKubectl) {
  EXPECT_EQ(formatAge(42), "42s");
  EXPECT_EQ(formatAge(600), "10m");
  EXPECT_EQ(formatAge(3 * 3600), "3h");
  EXPECT_EQ(formatAge(5 * 86400), "5d");
  EXPECT_EQ(formatDuration(45), "45s");
  EXPECT_EQ(formatDuration(200), "3m20s");
  EXPECT_EQ(formatDuration(7500), "2h5m");
  EXPECT_EQ(formatDuration(3600), "1h");
}

TEST(Render, ExecutionListNewestFirstWithAndWithoutNamespaces) {
  auto full = completedRun(abalonePipeline(), "full", kT0, "4.37");
  auto broken = failedRun();
  auto pending = makeExecution("waiting", kT0 + 900);
  const UnixSeconds now = kT0 + 3600;
  expectGolden("list.txt", renderExecutionList({pending, broken, full}, false, false, now));
  expectGolden("list-wide-all-namespaces.txt", renderExecutionList({pending, broken, full}, true, true, now));
}

TEST(Render, StepTreeInDagOrderWithGlyphsReuseAndReasons) {
  auto full = completedRun(abalonePipeline(), "full", kT0, "4.37");
  expectGolden("get-full.txt", renderExecution(full, false, {}, kT0 + 3600));
  expectGolden("get-failed.txt", renderExecution(failedRun(), true, {{"Evaluate", {"broken-evaluate-pod"}}}, kT0 + 3600));
}

TEST(Render, ParametersWithTypeAndSource) {
  expectGolden("params.txt", renderParameters(failedRun()));
}

TEST(Render, DiffShowsChangedParametersAndWhatEachStepDid) {
  auto full = completedRun(abalonePipeline(), "full", kT0, "4.37");
  expectGolden("diff.txt", renderDiff(full, failedRun()));
}

TEST(Render, LogLinesArePrefixedWithTheirStep) {
  EXPECT_EQ(prefixLines("epoch 1\nepoch 2\n", "[Train] "), "[Train] epoch 1\n[Train] epoch 2\n");
  EXPECT_EQ(prefixLines("partial", "[A] "), "[A] partial\n");
  EXPECT_EQ(prefixLines("x\n\ny\n", ""), "x\n\ny\n");
  EXPECT_EQ(prefixLines("", "[A] "), "");
}

TEST(Render, DagAsTextAndDot) {
  const auto spec = abalonePipeline().spec;
  expectGolden("dag.txt", renderDag("abalone", spec));
  expectGolden("dag.dot", renderDagDot("abalone", spec));
}

TEST(Render, YamlKeepsStringsThatLookLikeOtherTypesQuoted) {
  value v;
  v["count"] = value::string("120");
  v["flag"] = value::string("true");
  v["plain"] = value::string("abalone");
  v["n"] = value::number(3);
  v["empty"] = value::string("");
  v["list"] = value::array({value::string("a"), value::boolean(false)});
  v["none"] = value::null();
  expectGolden("object.yaml", toYaml(v));
  EXPECT_EQ(toPrettyJson(value::array()), "[]\n");
}

TEST(Completion, CommandsFlagsAndNamesFromTheCluster) {
  CompletionSources src;
  src.pipelines = [] { return std::vector<std::string>{"abalone", "linear"}; };
  src.executions = [] { return std::vector<std::string>{"abalone-x", "linear-y"}; };
  EXPECT_EQ(completeWords({"re"}, src), std::vector<std::string>{"rerun"});
  EXPECT_EQ(completeWords({"start", "ab"}, src), std::vector<std::string>{"abalone"});
  EXPECT_EQ(completeWords({"get", ""}, src), (std::vector<std::string>{"@latest", "abalone-x", "linear-y"}));
  EXPECT_EQ(completeWords({"start", "abalone", "--from", "lin"}, src), std::vector<std::string>{"linear-y"});
  EXPECT_EQ(completeWords({"start", "abalone", "--from-f"}, src), std::vector<std::string>{"--from-failure"});
  EXPECT_EQ(completeWords({"get", "x", "-o", "y"}, src), std::vector<std::string>{"yaml"});
  EXPECT_EQ(completeWords({"-n", "ml", "wa"}, src), std::vector<std::string>{"wait"});
  EXPECT_EQ(completeWords({"completion", ""}, src), (std::vector<std::string>{"bash", "zsh"}));
  EXPECT_NE(completionScript("bash").find("complete -o default -F _kubectl_sluice kubectl-sluice"), std::string::npos);
  EXPECT_NE(completionScript("zsh").find("#compdef kubectl-sluice"), std::string::npos);
}

}  // namespace
}  // namespace sluice::cli

// kubectl-sluice's command line: every flag, its combinations, bad values.
#include <gtest/gtest.h>

#include "cli/cli_args.h"

namespace sluice::cli {
namespace {

ParseOutcome parse(std::vector<std::string> argv) { return parseArgs(argv); }

TEST(CliArgs, StartWithParametersAndASelection) {
  auto o = parse({"start", "abalone", "-p", "XGBNumRounds=200", "--param=XGBETA=0.3", "--from", "abalone-x",
                  "--steps", "Train,Evaluate", "--allow-stale-reuse", "--wait", "--timeout", "10m", "-n", "ml"});
  ASSERT_EQ(o.error, "");
  const CliArgs& a = o.args;
  EXPECT_EQ(a.command, "start");
  EXPECT_EQ(a.run.pipeline, "abalone");
  ASSERT_EQ(a.run.parameters.size(), 2u);
  EXPECT_EQ(a.run.parameters[0].name, "XGBNumRounds");
  EXPECT_EQ(a.run.parameters[0].value, "200");
  EXPECT_EQ(a.run.parameters[1].name, "XGBETA");
  EXPECT_EQ(a.run.parameters[1].value, "0.3");
  EXPECT_EQ(a.run.from.value_or(""), "abalone-x");
  EXPECT_EQ(a.run.steps, (std::vector<std::string>{"Train", "Evaluate"}));
  EXPECT_TRUE(a.run.allowStaleReuse);
  EXPECT_TRUE(a.wait);
  EXPECT_EQ(a.timeoutSeconds.value_or(0), 600);
  EXPECT_EQ(a.global.namespace_, "ml");
}

TEST(CliArgs, GlobalFlagsMayComeBeforeTheCommandAndInKubectlsShortForms) {
  auto o = parse({"-nml", "--context=kind-dev", "--kubeconfig", "/k", "-ojson", "get", "run-1"});
  ASSERT_EQ(o.error, "");
  EXPECT_EQ(o.args.command, "get");
  EXPECT_EQ(o.args.positional, std::vector<std::string>{"run-1"});
  EXPECT_EQ(o.args.global.namespace_, "ml");
  EXPECT_EQ(o.args.global.context, "kind-dev");
  EXPECT_EQ(o.args.global.kubeconfig, "/k");
  EXPECT_EQ(o.args.global.output, OutputFormat::Json);
}

TEST(CliArgs, AValueMayContainEqualsSigns) {
  auto o = parse({"plan", "p", "-p", "Query=a=b", "--from-steps", "Evaluate"});
  ASSERT_EQ(o.error, "");
  EXPECT_EQ(o.args.run.parameters.at(0).value, "a=b");
  EXPECT_EQ(o.args.run.fromSteps, std::vector<std::string>{"Evaluate"});
}

TEST(CliArgs, LastStandsForTheExecutionArgument) {
  auto o = parse({"get", "--last"});
  ASSERT_EQ(o.error, "");
  EXPECT_EQ(o.args.positional, std::vector<std::string>{"@latest"});
  auto logs = parse({"logs", "--last", "Train"});
  ASSERT_EQ(logs.error, "");
  EXPECT_EQ(logs.args.positional, (std::vector<std::string>{"@latest", "Train"}));
  EXPECT_EQ(parse({"get", "--last", "x"}).error, "--last stands for the EXECUTION argument: give one or the other");
}

TEST(CliArgs, RerunTakesItsArgumentAsTheSource) {
  auto o = parse({"rerun", "abalone-x", "--from-steps", "Evaluate", "--dry-run"});
  ASSERT_EQ(o.error, "");
  EXPECT_EQ(o.args.run.from.value_or(""), "abalone-x");
  EXPECT_TRUE(o.args.dryRun);
  EXPECT_TRUE(o.args.run.selective());
}

TEST(CliArgs, BadInputIsRefusedNamingTheFlagOrArgument) {
  struct Case {
    std::vector<std::string> argv;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{}, "no command given (see kubectl sluice --help)"},
      {{"frobnicate"}, "unknown command 'frobnicate' (see kubectl sluice --help)"},
      {{"list", "--bogus"}, "unknown flag --bogus"},
      {{"list", "--steps", "A"}, "--steps is not a flag of 'list'"},
      {{"get"}, "usage: kubectl sluice get EXECUTION"},
      {{"diff", "a"}, "usage: kubectl sluice diff EXECUTION_A EXECUTION_B"},
      {{"start", "p", "-p", "NoEquals"}, "-p/--param: 'NoEquals' is not NAME=VALUE"},
      {{"start", "p", "-p", "=1"}, "-p/--param: '=1' has no parameter name before '='"},
      {{"start", "p", "--steps", "A,,B"}, "--steps: empty step name in 'A,,B'"},
      {{"start", "p", "--steps", "A", "--from-failure"}, "--steps, --from-steps and --from-failure exclude each other: give one"},
      {{"start", "p", "--from", "x"}, "--from needs a selection: --steps A,B, --from-steps X or --from-failure"},
      {{"start", "p", "--allow-stale-reuse"}, "--allow-stale-reuse only applies to a selective run (--from, --steps, --from-steps, --from-failure)"},
      {{"start", "p", "--wait", "--watch"}, "--wait and --watch exclude each other"},
      {{"start", "p", "--dry-run", "--wait"}, "--dry-run creates nothing to --wait for or --watch"},
      {{"start", "p", "--timeout", "5m"}, "--timeout needs --wait or --watch"},
      {{"wait", "x", "--timeout", "soon"}, "--timeout: expected a number at position 0"},
      {{"wait", "x", "--timeout", "0s"}, "--timeout: must be positive, got '0s'"},
      {{"start", "p", "--max-parallel", "0"}, "--max-parallel: '0' is not a whole number >= 1"},
      {{"list", "--status", "Done"}, "--status: unknown phase 'Done' (Pending, Executing, Stopping, Stopped, Failed, Succeeded)"},
      {{"get", "x", "-o", "csv"}, "-o/--output: unknown format 'csv' (table, wide, json, yaml, name, dot)"},
      {{"get", "x", "-o", "dot"}, "-o dot is only for 'dag'"},
      {{"params", "x", "-o", "name"}, "-o name is only for list, get, start and rerun"},
      {{"completion", "fish"}, "completion: unknown shell 'fish' (bash, zsh)"},
      {{"diff", "a", "b", "-o", "json"}, "'diff' prints text only (no -o json/yaml/wide/name)"},
      {{"wait", "a", "-o", "yaml"}, "'wait' prints text only (no -o json/yaml/wide/name)"},
      {{"get", "x", "-A"}, "--all-namespaces is not a flag of 'get'"},
      {{"get", "x", "-n"}, "-n needs a value"},
      {{"list", "--all-namespaces=yes"}, "--all-namespaces takes no value"},
  };
  for (const auto& c : cases) {
    std::string joined;
    for (const auto& a : c.argv) joined += a + " ";
    EXPECT_EQ(parse(c.argv).error, c.error) << joined;
  }
}

TEST(CliArgs, HelpNeedsNoCommand) {
  EXPECT_TRUE(parse({"--help"}).args.help);
  EXPECT_EQ(parse({"--help"}).error, "");
  EXPECT_TRUE(parse({"help"}).args.help);
  EXPECT_NE(usage().find("Exit codes: 0 ok"), std::string::npos);
}

TEST(CliArgs, EverythingAfterDoubleDashIsPositional) {
  auto o = parse({"get", "--", "-weird-name"});
  ASSERT_EQ(o.error, "");
  EXPECT_EQ(o.args.positional, std::vector<std::string>{"-weird-name"});
}

TEST(CliArgs, FlagsOfACommandIncludeTheGlobalOnes) {
  auto f = flagsOf("plan");
  for (const char* want : {"--steps", "-p", "--from", "--namespace", "-o"})
    EXPECT_NE(std::find(f.begin(), f.end(), want), f.end()) << want;
  auto l = flagsOf("list");
  EXPECT_EQ(std::find(l.begin(), l.end(), "--steps"), l.end());
}

}  // namespace
}  // namespace sluice::cli

#include <gtest/gtest.h>

#include "dag.h"

namespace sluice::pipeline {
namespace {

using Names = std::vector<std::string>;
using NameSet = std::set<std::string>;

StepSpec containerStep(const std::string& name, Names dependsOn = {}, Names args = {}) {
  StepSpec s;
  s.name = name;
  s.kind = StepKind::Container;
  s.container = ContainerSpec{};
  s.container->image = "img";
  s.container->args = std::move(args);
  s.dependsOn = std::move(dependsOn);
  return s;
}

StepSpec conditionStep(const std::string& name, const std::string& left, Names ifSteps, Names elseSteps) {
  StepSpec s;
  s.name = name;
  s.kind = StepKind::Condition;
  Condition c;
  c.type = ConditionType::LessThanOrEqualTo;
  c.left = left;
  c.right = "$(params.MseThreshold)";
  s.condition = ConditionStep{{c}, std::move(ifSteps), std::move(elseSteps)};
  return s;
}

StepSpec failStep(const std::string& name, const std::string& message) {
  StepSpec s;
  s.name = name;
  s.kind = StepKind::Fail;
  s.fail = FailStep{message};
  return s;
}

// The six-step Abalone pipeline of DESIGN.md.
PipelineSpec abalone() {
  PipelineSpec p;
  p.steps.push_back(containerStep("Preprocess", {}, {"--input", "$(params.InputData)"}));
  auto train = containerStep("Train", {}, {"--num-round", "$(params.XGBNumRounds)"});
  train.inputs.push_back({"train", "$(steps.Preprocess.outputs.train)", "/in"});
  p.steps.push_back(train);
  auto evaluate = containerStep("Evaluate");
  evaluate.inputs.push_back({"model", "$(steps.Train.outputs.model)", "/m"});
  evaluate.inputs.push_back({"test", "$(steps.Preprocess.outputs.test)", "/t"});
  p.steps.push_back(evaluate);
  p.steps.push_back(conditionStep("MSECheck", "$(steps.Evaluate.properties.mse)", {"Register"}, {"FailNotify"}));
  p.steps.push_back(containerStep("Register", {}, {"$(steps.Train.outputs.model)"}));
  p.steps.push_back(failStep("FailNotify", "MSE $(steps.Evaluate.properties.mse) too high"));
  return p;
}

TEST(Dag, AbaloneEdges) {
  Dag d = Dag::build(abalone());
  EXPECT_EQ(d.steps(), (Names{"Preprocess", "Train", "Evaluate", "MSECheck", "Register", "FailNotify"}));
  struct Row {
    std::string step;
    NameSet deps, dependents;
  };
  const std::vector<Row> rows = {
      {"Preprocess", {}, {"Train", "Evaluate"}},
      {"Train", {"Preprocess"}, {"Evaluate", "Register"}},
      {"Evaluate", {"Train", "Preprocess"}, {"MSECheck", "FailNotify"}},
      {"MSECheck", {"Evaluate"}, {"Register", "FailNotify"}},
      {"Register", {"MSECheck", "Train"}, {}},
      {"FailNotify", {"MSECheck", "Evaluate"}, {}},
      {"Unknown", {}, {}},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(d.dependencies(r.step), r.deps) << r.step;
    EXPECT_EQ(d.dependents(r.step), r.dependents) << r.step;
  }
}

TEST(Dag, AbaloneAncestorsDescendants) {
  Dag d = Dag::build(abalone());
  struct Row {
    std::string step;
    NameSet ancestors, descendants;
  };
  const std::vector<Row> rows = {
      {"Preprocess", {}, {"Train", "Evaluate", "MSECheck", "Register", "FailNotify"}},
      {"Train", {"Preprocess"}, {"Evaluate", "MSECheck", "Register", "FailNotify"}},
      {"Evaluate", {"Preprocess", "Train"}, {"MSECheck", "Register", "FailNotify"}},
      {"MSECheck", {"Preprocess", "Train", "Evaluate"}, {"Register", "FailNotify"}},
      {"Register", {"Preprocess", "Train", "Evaluate", "MSECheck"}, {}},
      {"Unknown", {}, {}},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(d.ancestors(r.step), r.ancestors) << r.step;
    EXPECT_EQ(d.descendants(r.step), r.descendants) << r.step;
  }
}

TEST(Dag, StepsBetween) {
  Dag d = Dag::build(abalone());
  struct Row {
    std::string a, b;
    NameSet between;
  };
  const std::vector<Row> rows = {
      {"Train", "MSECheck", {"Evaluate"}},
      {"Preprocess", "Register", {"Train", "Evaluate", "MSECheck"}},
      {"Train", "Evaluate", {}},
      {"Evaluate", "Train", {}},  // not reachable that way round
      {"Register", "FailNotify", {}},
  };
  for (const auto& r : rows) EXPECT_EQ(d.stepsBetween(r.a, r.b), r.between) << r.a << " .. " << r.b;
}

struct OrderCase {
  const char* name;
  PipelineSpec spec;
  std::optional<Names> order;
  std::optional<Names> cycle;
};

PipelineSpec steps(std::vector<StepSpec> s) {
  PipelineSpec p;
  p.steps = std::move(s);
  return p;
}

TEST(Dag, TopologicalOrderAndCycles) {
  const std::vector<OrderCase> cases = {
      {"empty", steps({}), Names{}, std::nullopt},
      {"abalone", abalone(), Names{"Preprocess", "Train", "Evaluate", "MSECheck", "Register", "FailNotify"},
       std::nullopt},
      {"independent keep spec order", steps({containerStep("b"), containerStep("a"), containerStep("c")}),
       Names{"b", "a", "c"}, std::nullopt},
      {"dependency listed later runs first",
       steps({containerStep("a", {"c"}), containerStep("b"), containerStep("c")}), Names{"b", "c", "a"},
       std::nullopt},
      {"ties broken by spec order",
       steps({containerStep("root"), containerStep("y", {"root"}), containerStep("x", {"root"})}),
       Names{"root", "y", "x"}, std::nullopt},
      {"two-step cycle", steps({containerStep("A", {"B"}), containerStep("B", {"A"})}), std::nullopt,
       Names{"A", "B", "A"}},
      {"cycle reported from its earliest step",
       steps({containerStep("R"), containerStep("T", {"R", "M"}), containerStep("E", {"T", "R"}),
              containerStep("M", {"E"})}),
       std::nullopt, Names{"T", "E", "M", "T"}},
      {"self loop", steps({containerStep("A", {"A"})}), std::nullopt, Names{"A", "A"}},
      {"cycle through references",
       steps({containerStep("A", {}, {"$(steps.C.outputs.o)"}), containerStep("B", {"A"}),
              containerStep("C", {}, {"$(steps.B.properties.p)"})}),
       std::nullopt, Names{"A", "B", "C", "A"}},
      {"cycle through condition branch",
       steps({conditionStep("Check", "$(steps.Work.properties.x)", {"Work"}, {}), containerStep("Work")}),
       std::nullopt,
       Names{"Check", "Work", "Check"}},
      {"unknown names ignored",
       steps({containerStep("A", {"Nope"}, {"$(steps.Ghost.outputs.o)", "$(bad"})}), Names{"A"}, std::nullopt},
  };
  for (const auto& c : cases) {
    Dag d = Dag::build(c.spec);
    EXPECT_EQ(d.topologicalOrder(), c.order) << c.name;
    EXPECT_EQ(d.findCycle(), c.cycle) << c.name;
  }
}

TEST(Dag, CycleFoundBehindAcyclicPart) {
  // The cycle C <-> D is only reached after the acyclic A -> B part.
  Dag d = Dag::build(steps({containerStep("A"), containerStep("B", {"A"}), containerStep("C", {"B", "D"}),
                            containerStep("D", {"C"})}));
  EXPECT_EQ(d.findCycle(), (Names{"C", "D", "C"}));
  EXPECT_FALSE(d.topologicalOrder());
}

TEST(Dag, DuplicateNamesMergeIntoOneNode) {
  Dag d = Dag::build(steps({containerStep("A"), containerStep("A"), containerStep("B", {"A"})}));
  EXPECT_EQ(d.steps(), (Names{"A", "B"}));
  EXPECT_TRUE(d.has("A"));
  EXPECT_FALSE(d.has("C"));
}

TEST(Dag, EnvCommandAndConditionOperandsMakeEdges) {
  auto user = containerStep("U");
  user.container->command = {"$(steps.A.outputs.o)"};
  user.container->env = {{"X", "$(steps.B.properties.p)"}};
  Condition inCond;
  inCond.type = ConditionType::In;
  inCond.value = "$(steps.C.properties.v)";
  inCond.values = {"$(steps.D.properties.v)"};
  Condition notCond;
  notCond.type = ConditionType::Not;
  notCond.children = {inCond};
  StepSpec check;
  check.name = "Check";
  check.kind = StepKind::Condition;
  check.condition = ConditionStep{{notCond}, {}, {}};
  Dag d = Dag::build(steps({containerStep("A"), containerStep("B"), containerStep("C"), containerStep("D"), user,
                            check}));
  EXPECT_EQ(d.dependencies("U"), (NameSet{"A", "B"}));
  EXPECT_EQ(d.dependencies("Check"), (NameSet{"C", "D"}));
}

}  // namespace
}  // namespace sluice::pipeline

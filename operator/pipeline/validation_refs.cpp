// Graph rules of validation (see validation.h): references, condition
// branches and shapes, cycles.
#include <algorithm>
#include <set>

#include "dag.h"
#include "expression.h"
#include "step_fields.h"
#include "validation_context.h"

namespace sluice::pipeline::validation {
namespace {

bool hasOutput(const StepSpec& s, const std::string& name) {
  return std::any_of(s.outputs.begin(), s.outputs.end(), [&](const OutputSpec& o) { return o.name == name; });
}

bool hasProperty(const StepSpec& s, const std::string& name) {
  return std::any_of(s.properties.begin(), s.properties.end(),
                     [&](const PropertySpec& p) { return p.name == name; });
}

// Returns true when ref names a step output (so it needs an artifact store).
bool checkRef(Context& ctx, const std::string& path, const ExprRef& ref) {
  switch (ref.kind) {
    case RefKind::Param:
      if (!ctx.params.count(ref.name)) ctx.add(path, "unknown parameter " + quoted(ref.name));
      return false;
    case RefKind::StepOutput:
    case RefKind::StepProperty: {
      const StepSpec* target = ctx.step(ref.step);
      bool output = ref.kind == RefKind::StepOutput;
      if (!target) {
        ctx.add(path, "unknown step " + quoted(ref.step));
      } else if (output && !hasOutput(*target, ref.name)) {
        ctx.add(path, "step " + quoted(ref.step) + " has no output " + quoted(ref.name));
      } else if (!output && !hasProperty(*target, ref.name)) {
        ctx.add(path, "step " + quoted(ref.step) + " has no property " + quoted(ref.name));
      }
      return output;
    }
    default:
      return false;
  }
}

void checkShape(Context& ctx, const std::string& path, const Condition& c) {
  switch (c.type) {
    case ConditionType::In:
      if (c.values.empty()) ctx.add(path + ".values", "Required value: In needs at least one value");
      break;
    case ConditionType::Not:
      if (c.children.empty()) {
        ctx.add(path + ".condition", "Required value: Not needs exactly one condition");
      } else if (c.children.size() > 1) {
        ctx.add(path + ".conditions",
                "Not takes exactly one condition, got " + std::to_string(c.children.size()));
      } else {
        checkShape(ctx, path + ".condition", c.children.front());
      }
      break;
    case ConditionType::Or:
      if (c.children.empty()) ctx.add(path + ".conditions", "Required value: Or needs at least one condition");
      for (size_t i = 0; i < c.children.size(); ++i)
        checkShape(ctx, path + ".conditions[" + std::to_string(i) + "]", c.children[i]);
      break;
    default:
      break;
  }
}

}  // namespace

void checkReferences(Context& ctx) {
  std::vector<std::string> outputUsers;  // steps that write or read outputs, spec order
  auto usesOutputs = [&](const std::string& step) {
    if (std::find(outputUsers.begin(), outputUsers.end(), step) == outputUsers.end()) outputUsers.push_back(step);
  };
  for (size_t i = 0; i < ctx.spec.steps.size(); ++i) {
    const StepSpec& s = ctx.spec.steps[i];
    std::string stepPath = ctx.stepPath(i);
    if (!s.outputs.empty()) usesOutputs(s.name);
    forEachExpressionField(s, [&](const std::string& rel, const std::string& text) {
      std::string path = stepPath + "." + rel;
      auto refs = findReferences(text);
      if (auto* err = std::get_if<ExprError>(&refs)) {
        ctx.add(path, "invalid expression at position " + std::to_string(err->pos) + ": " + err->message);
        return;
      }
      for (const auto& ref : std::get<std::vector<ExprRef>>(refs)) {
        if (checkRef(ctx, path, ref)) usesOutputs(s.name);
      }
    });
    for (size_t j = 0; j < s.dependsOn.size(); ++j) {
      if (!ctx.step(s.dependsOn[j]))
        ctx.add(stepPath + ".dependsOn[" + std::to_string(j) + "]", "unknown step " + quoted(s.dependsOn[j]));
    }
    for (size_t j = 0; j < s.inputs.size(); ++j) {
      const std::string& from = s.inputs[j].from;
      auto refs = findReferences(from);
      auto* list = std::get_if<std::vector<ExprRef>>(&refs);
      if (list && list->empty() && from.rfind("s3://", 0) != 0)
        ctx.add(stepPath + ".inputs[" + std::to_string(j) + "].from",
                "Invalid value: " + quoted(from) +
                    ": must be an expression such as $(steps.STEP.outputs.NAME) or an s3:// URI");
    }
  }
  bool hasStore = ctx.spec.artifactStore && ctx.spec.artifactStore->s3;
  if (!hasStore && !outputUsers.empty()) {
    std::string names;
    for (const auto& n : outputUsers) names += (names.empty() ? "" : ", ") + quoted(n);
    ctx.add(ctx.prefix + ".artifactStore",
            "Required value: outputs are used (steps " + names + ") but no artifactStore is set");
  }
}

void checkConditions(Context& ctx) {
  std::map<std::string, std::string> branchOwner;  // step -> condition whose branch lists it
  for (size_t i = 0; i < ctx.spec.steps.size(); ++i) {
    const StepSpec& s = ctx.spec.steps[i];
    if (!s.condition) continue;
    std::string path = ctx.stepPath(i) + ".condition";
    const ConditionStep& c = *s.condition;
    if (c.conditions.empty()) ctx.add(path + ".conditions", "Required value: at least one condition");
    for (size_t k = 0; k < c.conditions.size(); ++k)
      checkShape(ctx, path + ".conditions[" + std::to_string(k) + "]", c.conditions[k]);

    std::set<std::string> ifSet(c.ifSteps.begin(), c.ifSteps.end());
    auto checkBranch = [&](const char* field, const std::vector<std::string>& names, bool isElse) {
      for (size_t j = 0; j < names.size(); ++j) {
        const std::string& n = names[j];
        std::string bp = path + "." + field + "[" + std::to_string(j) + "]";
        if (!ctx.step(n)) {
          ctx.add(bp, "unknown step " + quoted(n));
        } else if (n == s.name) {
          ctx.add(bp, "a condition cannot list itself in a branch");
        } else if (isElse && ifSet.count(n)) {
          ctx.add(bp, "step " + quoted(n) + " is in both ifSteps and elseSteps");
        } else {
          auto [it, inserted] = branchOwner.emplace(n, s.name);
          if (!inserted && it->second != s.name)
            ctx.add(bp, "step " + quoted(n) + " is already in a branch of condition " + quoted(it->second));
        }
      }
    };
    checkBranch("ifSteps", c.ifSteps, false);
    checkBranch("elseSteps", c.elseSteps, true);
  }
}

void checkCycles(Context& ctx) {
  auto cycle = Dag::build(ctx.spec).findCycle();
  if (!cycle) return;
  std::string text;
  for (const auto& n : *cycle) text += (text.empty() ? "" : " -> ") + n;
  auto it = ctx.stepIndex.find(cycle->front());
  std::string path = it == ctx.stepIndex.end() ? ctx.prefix + ".steps" : ctx.stepPath(it->second);
  ctx.add(path, "dependency cycle: " + text);
}

}  // namespace sluice::pipeline::validation

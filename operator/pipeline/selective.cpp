#include "selective.h"

#include <algorithm>
#include <map>

#include "cache_key.h"
#include "plan_refs.h"
#include "plan_time.h"

namespace sluice::pipeline {

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

std::string joinQuoted(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + q(x);
  return out;
}

const StepStatus* findStep(const ExecutionStatus& st, const std::string& name) {
  for (const auto& s : st.steps)
    if (s.name == name) return &s;
  return nullptr;
}

const StepSpec* findSpec(const PipelineSpec& spec, const std::string& name) {
  for (const auto& s : spec.steps)
    if (s.name == name) return &s;
  return nullptr;
}

const PipelineExecution* findExecution(const std::vector<PipelineExecution>& xs, const std::string& name) {
  for (const auto& x : xs)
    if (x.metadata.name == name) return &x;
  return nullptr;
}

// Sorts names into the pipeline's spec order.
std::vector<std::string> inSpecOrder(const Dag& dag, const std::set<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& s : dag.steps())
    if (names.count(s)) out.push_back(s);
  return out;
}

bool sameCondition(const Condition& a, const Condition& b) {
  if (a.type != b.type || a.left != b.left || a.right != b.right || a.value != b.value || a.values != b.values ||
      a.children.size() != b.children.size())
    return false;
  for (size_t i = 0; i < a.children.size(); ++i)
    if (!sameCondition(a.children[i], b.children[i])) return false;
  return true;
}

bool sameConditions(const std::vector<Condition>& a, const std::vector<Condition>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!sameCondition(a[i], b[i])) return false;
  return true;
}

bool sameEnv(const std::vector<EnvVar>& a, const std::vector<EnvVar>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].value != b[i].value) return false;
  return true;
}

bool sameInputs(const std::vector<InputSpec>& a, const std::vector<InputSpec>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].from != b[i].from || a[i].path != b[i].path) return false;
  return true;
}

bool sameOutputs(const std::vector<OutputSpec>& a, const std::vector<OutputSpec>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].path != b[i].path) return false;
  return true;
}

bool sameProperties(const std::vector<PropertySpec>& a, const std::vector<PropertySpec>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].file != b[i].file || a[i].jsonPath != b[i].jsonPath) return false;
  return true;
}

}  // namespace

std::variant<const PipelineExecution*, SelectiveRejection> resolveSourceExecution(
    const PipelineExecution& execution, const std::vector<PipelineExecution>& others) {
  const std::string& pipeline = execution.spec.pipelineRef;
  const auto& sel = execution.spec.selectiveExecution;
  const PipelineExecution* source = nullptr;
  if (sel && sel->sourceExecution && !sel->sourceExecution->empty()) {
    const std::string& name = *sel->sourceExecution;
    if (name == execution.metadata.name)
      return SelectiveRejection{"source execution " + q(name) + " is this execution"};
    source = findExecution(others, name);
    if (!source)
      return SelectiveRejection{"source execution " + q(name) + " not found in namespace " +
                                q(execution.metadata.namespace_)};
    if (source->spec.pipelineRef != pipeline)
      return SelectiveRejection{"source execution " + q(name) + " runs pipeline " + q(source->spec.pipelineRef) +
                                ", not " + q(pipeline)};
    if (!isTerminal(source->status.phase))
      return SelectiveRejection{"source execution " + q(name) + " is " + toString(source->status.phase) +
                                "; it must be Succeeded, Failed or Stopped"};
  } else {
    // Newest terminal execution of the same pipeline that really started
    // (took a snapshot). That is what users expect of the default, "the last
    // run that did something": an execution rejected before it started (say
    // as stale, with a hint to set allowStaleReuse) or stopped before it
    // started is terminal too, but has nothing to reuse, and choosing it
    // would only reject this execution as well and make it the next default.
    // Timestamps that do not parse sort as oldest; ties break on name so the
    // choice is stable.
    int64_t bestTime = 0;
    for (const auto& x : others) {
      if (x.metadata.name == execution.metadata.name || x.spec.pipelineRef != pipeline ||
          !isTerminal(x.status.phase) || !x.status.pipelineSpec)
        continue;
      const int64_t t = parseRfc3339(x.metadata.creationTimestamp).value_or(INT64_MIN);
      if (!source || t > bestTime || (t == bestTime && x.metadata.name > source->metadata.name)) {
        source = &x;
        bestTime = t;
      }
    }
    if (!source)
      return SelectiveRejection{"no Succeeded, Failed or Stopped execution of pipeline " + q(pipeline) +
                                " that started to use as the source"};
  }
  if (!execution.metadata.namespace_.empty() && !source->metadata.namespace_.empty() &&
      source->metadata.namespace_ != execution.metadata.namespace_)
    return SelectiveRejection{"source execution " + q(source->metadata.name) + " is in another namespace"};
  // Only a named source can get here without a snapshot.
  if (!source->status.pipelineSpec)
    return SelectiveRejection{"source execution " + q(source->metadata.name) +
                              " never started (it has no pipeline snapshot)"};
  return source;
}

std::variant<std::vector<std::string>, SelectiveRejection> expandSelection(const SelectiveExecutionSpec& spec,
                                                                          const Dag& dag,
                                                                          const ExecutionStatus& source,
                                                                          const std::string& sourceName) {
  const int forms = (!spec.selectedSteps.empty()) + (!spec.fromSteps.empty()) + (spec.fromFailure ? 1 : 0);
  if (forms != 1)
    return SelectiveRejection{"selectiveExecution needs exactly one of selectedSteps, fromSteps or fromFailure"};

  std::vector<std::string> unknown;
  for (const auto* list : {&spec.selectedSteps, &spec.fromSteps})
    for (const auto& s : *list)
      if (!dag.has(s)) unknown.push_back(s);
  if (!unknown.empty()) return SelectiveRejection{"unknown step(s) in selection: " + joinQuoted(unknown)};

  std::set<std::string> selected;
  if (!spec.selectedSteps.empty()) {
    selected.insert(spec.selectedSteps.begin(), spec.selectedSteps.end());
  } else {
    std::set<std::string> roots;
    if (!spec.fromSteps.empty()) {
      roots.insert(spec.fromSteps.begin(), spec.fromSteps.end());
    } else {
      // Re-run what did not succeed, but not what was never meant to run:
      // the branch a condition did not take (ConditionNotMet), and the steps
      // a selective source left out (NotSelected). Those did not fail; they
      // were not part of that run. Steps skipped because the run failed or
      // was stopped (ExecutionFailed, Stopped) and steps the source has no
      // status for are re-run.
      for (const auto& name : dag.steps()) {
        const StepStatus* st = findStep(source, name);
        const bool succeeded = st && st->phase == StepPhase::Succeeded;
        const bool notPartOfTheRun = st && st->phase == StepPhase::Skipped &&
                                     (st->reason == "ConditionNotMet" || st->reason == "NotSelected");
        if (!succeeded && !notPartOfTheRun) roots.insert(name);
      }
      if (roots.empty())
        return SelectiveRejection{"fromFailure: no step failed or was stopped in source execution " +
                                  q(sourceName) + "; there is nothing to re-run"};
    }
    for (const auto& r : roots) {
      selected.insert(r);
      for (const auto& d : dag.descendants(r)) selected.insert(d);
    }
  }
  return inSpecOrder(dag, selected);
}

std::vector<std::string> missingConnectingSteps(const Dag& dag, const std::vector<std::string>& selected) {
  // x lies on a path between two selected steps exactly when some selected
  // step is upstream of x and some selected step is downstream of it; two
  // unions avoid walking the graph once per pair of selected steps.
  const std::set<std::string> sel(selected.begin(), selected.end());
  std::set<std::string> belowSelected, aboveSelected, missing;
  for (const auto& s : selected) {
    for (const auto& d : dag.descendants(s)) belowSelected.insert(d);
    for (const auto& a : dag.ancestors(s)) aboveSelected.insert(a);
  }
  for (const auto& x : belowSelected)
    if (aboveSelected.count(x) && !sel.count(x)) missing.insert(x);
  return inSpecOrder(dag, missing);
}

std::vector<std::string> definitionDifferences(const StepSpec& now, const StepDefaults& nowDefaults,
                                               const StepSpec& then, const StepDefaults& thenDefaults) {
  std::vector<std::string> diff;
  if (now.kind != then.kind) return {"kind"};
  if (now.container && then.container) {
    const ContainerSpec &a = *now.container, &b = *then.container;
    if (a.image != b.image) diff.push_back("container.image");
    if (a.command != b.command) diff.push_back("container.command");
    if (a.args != b.args) diff.push_back("container.args");
    if (!sameEnv(a.env, b.env)) diff.push_back("container.env");
    if (a.workingDir != b.workingDir) diff.push_back("container.workingDir");
  } else if (now.container.has_value() != then.container.has_value()) {
    diff.push_back("container");
  }
  if (!sameInputs(now.inputs, then.inputs)) diff.push_back("inputs");
  if (!sameOutputs(now.outputs, then.outputs)) diff.push_back("outputs");
  if (!sameProperties(now.properties, then.properties)) diff.push_back("properties");
  if (now.condition && then.condition) {
    if (!sameConditions(now.condition->conditions, then.condition->conditions))
      diff.push_back("condition.conditions");
    if (now.condition->ifSteps != then.condition->ifSteps) diff.push_back("condition.ifSteps");
    if (now.condition->elseSteps != then.condition->elseSteps) diff.push_back("condition.elseSteps");
  }
  if (now.fail && then.fail && now.fail->message != then.fail->message) diff.push_back("fail.message");
  // The effective cache, as the planner applies it (the step's own, else
  // defaults.cache): its cacheVersion is what the cache key carries, so
  // bumping defaults.cache.cacheVersion says "results of steps without a
  // cache of their own are outdated" just as a step's own bump does.
  // Retries and the service account (own or default) do not change what a
  // step produces, so their defaults do not count either.
  const std::string va = effectiveCache(now, nowDefaults).cacheVersion.value_or("");
  const std::string vb = effectiveCache(then, thenDefaults).cacheVersion.value_or("");
  if (va != vb) diff.push_back("cache.cacheVersion");
  return diff;
}

std::string realProducer(const std::string& step, const PipelineExecution& source,
                         const std::vector<PipelineExecution>& others) {
  std::string producer = source.metadata.name;
  const StepStatus* st = findStep(source.status, step);
  std::set<std::string> visited{producer};
  while (st) {
    const auto& next = st->reusedFromExecution ? st->reusedFromExecution : st->cacheHitExecution;
    if (!next || next->empty() || *next == producer) break;
    producer = *next;
    // Each execution already records the real producer, so one hop is the
    // norm; following further only matters for statuses written otherwise.
    // A cycle or a missing execution ends the walk at the last name seen.
    if (!visited.insert(producer).second) break;
    const PipelineExecution* x = findExecution(others, producer);
    st = x ? findStep(x->status, step) : nullptr;
    if (st && st->phase != StepPhase::Succeeded) break;
  }
  return producer;
}

std::variant<SelectivePlan, SelectiveRejection> planSelectiveExecution(
    const PipelineSpec& spec, const Dag& dag, const SelectiveExecutionSpec& selective,
    const PipelineExecution& source, const std::vector<PipelineExecution>& others,
    const std::vector<ResolvedParameter>& effective) {
  const std::string& sourceName = source.metadata.name;
  auto expanded = expandSelection(selective, dag, source.status, sourceName);
  if (auto* r = std::get_if<SelectiveRejection>(&expanded)) return *r;
  const auto selected = std::get<std::vector<std::string>>(expanded);
  const std::set<std::string> selectedSet(selected.begin(), selected.end());

  const auto missing = missingConnectingSteps(dag, selected);
  if (!missing.empty())
    return SelectiveRejection{"selected steps are not connected: " + joinQuoted(missing) +
                              (missing.size() == 1 ? " lies" : " lie") +
                              " between selected steps and must be selected too"};

  // Steps the selection needs but does not run.
  std::set<std::string> needed;
  for (const auto& s : selected)
    for (const auto& a : dag.ancestors(s))
      if (!selectedSet.count(a)) needed.insert(a);

  std::vector<std::string> notSucceeded;
  for (const auto& n : inSpecOrder(dag, needed)) {
    const StepStatus* st = findStep(source.status, n);
    if (!st)
      notSucceeded.push_back(q(n) + " (not in the source)");
    else if (st->phase != StepPhase::Succeeded)
      // For a skipped step the reason is what explains it: one a selective
      // source left out (NotSelected) has no result there to reuse, even if
      // an earlier execution produced one.
      notSucceeded.push_back(q(n) + " (" + toString(st->phase) +
                             (st->phase == StepPhase::Skipped && !st->reason.empty() ? ": " + st->reason : "") + ")");
  }
  if (!notSucceeded.empty()) {
    std::string list;
    for (const auto& x : notSucceeded) list += (list.empty() ? "" : ", ") + x;
    return SelectiveRejection{"selected steps need " + list + ", which did not succeed in source execution " +
                              q(sourceName) + "; select them too, or choose a source execution where they succeeded"};
  }

  // Stale-reuse guard: compare what each reused step ran with.
  std::map<std::string, std::string> value;
  for (const auto& p : effective) value[p.name] = p.value;
  std::vector<std::string> stale;
  for (const auto& n : inSpecOrder(dag, needed)) {
    const StepSpec* now = findSpec(spec, n);
    const StepSpec* then = findSpec(*source.status.pipelineSpec, n);
    const StepStatus* st = findStep(source.status, n);
    if (!now) continue;
    if (!then) {
      stale.push_back("step " + q(n) + " does not exist in the snapshot of source execution " + q(sourceName));
      continue;
    }
    for (const auto& field : definitionDifferences(*now, spec.defaults, *then, source.status.pipelineSpec->defaults))
      stale.push_back("step " + q(n) + ": " + field + " differs from source execution " + q(sourceName));
    for (const auto& name : referencedParameters(*now)) {
      std::optional<std::string> ranWith;
      for (const auto& c : st->consumedParameters)
        if (c.name == name) ranWith = c.value;
      // Statuses without the record: the source's effective value is the
      // best evidence of what the step ran with.
      if (!ranWith)
        for (const auto& p : source.status.parameters)
          if (p.name == name) ranWith = p.value;
      const auto it = value.find(name);
      const std::string nowValue = it == value.end() ? "" : it->second;
      if (!ranWith || *ranWith != nowValue)
        stale.push_back("step " + q(n) + ": parameter " + q(name) + " was \"" + ranWith.value_or("") +
                        "\" and is now \"" + nowValue + "\"");
    }
  }
  if (!stale.empty() && !selective.allowStaleReuse) {
    std::string msg = "reused steps would be stale: ";
    for (size_t i = 0; i < stale.size(); ++i) msg += (i ? "; " : "") + stale[i];
    return SelectiveRejection{msg + " (select them, or set allowStaleReuse: true)"};
  }

  SelectivePlan plan;
  plan.selection.sourceExecution = sourceName;
  plan.selection.selectedSteps = selected;
  plan.staleReuse = stale;
  for (const auto& s : spec.steps) {
    StepStatus st;
    st.name = s.name;
    if (selectedSet.count(s.name)) {
      st.phase = StepPhase::Pending;
    } else if (needed.count(s.name)) {
      const StepStatus& src = *findStep(source.status, s.name);
      st.phase = StepPhase::Succeeded;
      st.reason = "Reused";
      st.reusedFromExecution = realProducer(s.name, source, others);
      st.message = "reused from execution " + q(*st.reusedFromExecution);
      st.outputs = src.outputs;
      st.properties = src.properties;
      st.conditionOutcome = src.conditionOutcome;
      st.cacheKey = src.cacheKey;
      st.consumedParameters = src.consumedParameters;
      if (st.consumedParameters.empty() && source.status.pipelineSpec)
        // An older status without the record: keep the guard's evidence so
        // the next execution in a chain compares against the same values.
        if (const StepSpec* then = findSpec(*source.status.pipelineSpec, s.name))
          st.consumedParameters = consumedParameters(*then, source.status.parameters);
    } else {
      st.phase = StepPhase::Skipped;
      st.reason = "NotSelected";
    }
    plan.steps.push_back(std::move(st));
  }
  return plan;
}

}  // namespace sluice::pipeline

#include "cli/execution_view.h"

#include <algorithm>
#include <set>

#include "cli/table.h"
#include "pipeline/dag.h"
#include "pipeline/plan_status.h"

namespace sluice::cli {

namespace pl = sluice::pipeline;

std::string formatAge(int64_t s) {
  if (s < 0) s = 0;
  if (s < 120) return std::to_string(s) + "s";
  if (s < 2 * 3600) return std::to_string(s / 60) + "m";
  if (s < 2 * 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string formatDuration(int64_t s) {
  if (s < 0) s = 0;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + (s % 60 ? std::to_string(s % 60) + "s" : "");
  return std::to_string(s / 3600) + "h" + (s % 3600 / 60 ? std::to_string(s % 3600 / 60) + "m" : "");
}

const char* phaseGlyph(pl::StepPhase p) {
  switch (p) {
    case pl::StepPhase::Succeeded: return "✔";
    case pl::StepPhase::Failed: return "✖";
    case pl::StepPhase::Starting:
    case pl::StepPhase::Executing: return "●";
    case pl::StepPhase::Pending: return "◷";
    case pl::StepPhase::Skipped: return "○";
    case pl::StepPhase::Stopping:
    case pl::StepPhase::Stopped: return "■";
  }
  return "?";
}

namespace {

std::string orDash(const std::string& s) { return s.empty() ? "-" : s; }

std::string durationOf(const std::optional<std::string>& start, const std::optional<std::string>& end,
                       pl::UnixSeconds now) {
  if (!start) return "-";
  auto a = pl::parseRfc3339(*start);
  if (!a) return "-";
  auto b = end ? pl::parseRfc3339(*end) : std::optional<pl::UnixSeconds>(now);
  return b ? formatDuration(*b - *a) : "-";
}

std::string sourceOf(const pl::PipelineExecution& x) {
  if (x.status.selectiveExecution) return x.status.selectiveExecution->sourceExecution;
  if (x.spec.selectiveExecution && x.spec.selectiveExecution->sourceExecution)
    return *x.spec.selectiveExecution->sourceExecution;
  return "";
}

std::string joined(const std::vector<std::string>& xs, const char* sep = ", ") {
  std::string s;
  for (size_t i = 0; i < xs.size(); ++i) s += (i ? sep : "") + xs[i];
  return s;
}

std::string reasonOf(const pl::PipelineExecution& x) {
  if (!x.status.failureReason.empty()) return x.status.failureReason;
  const pl::StatusCondition* c = pl::findCondition(x.status.conditions, "Succeeded");
  return c && x.status.phase == pl::ExecutionPhase::Pending ? c->reason : "";
}

// Depth of each step: the longest path from a root, so a step sits below
// everything it waits for.
std::map<std::string, int> depths(const pl::Dag& dag, const std::vector<std::string>& order) {
  std::map<std::string, int> d;
  for (const auto& s : order) {
    int depth = 0;
    for (const auto& dep : dag.dependencies(s)) depth = std::max(depth, d[dep] + 1);
    d[s] = depth;
  }
  return d;
}

}  // namespace

std::string renderExecutionList(const std::vector<pl::PipelineExecution>& xs, bool withNamespace, bool wide,
                                pl::UnixSeconds now) {
  Row header;
  if (withNamespace) header.push_back("NAMESPACE");
  for (const char* h : {"NAME", "PIPELINE", "PHASE", "PROGRESS", "SOURCE", "AGE"}) header.push_back(h);
  if (wide)
    for (const char* h : {"STARTED", "DURATION", "REASON"}) header.push_back(h);
  std::vector<Row> rows;
  for (const auto& x : xs) {
    Row r;
    if (withNamespace) r.push_back(x.metadata.namespace_);
    const auto created = pl::parseRfc3339(x.metadata.creationTimestamp);
    r.insert(r.end(), {x.metadata.name, x.spec.pipelineRef, pl::toString(x.status.phase),
                       x.status.steps.empty() ? "-" : pl::progressOf(x.status), orDash(sourceOf(x)),
                       created ? formatAge(now - *created) : "-"});
    if (wide)
      r.insert(r.end(), {orDash(x.status.startTime.value_or("")),
                         durationOf(x.status.startTime, x.status.endTime, now), orDash(reasonOf(x))});
    rows.push_back(std::move(r));
  }
  return renderTable(header, rows);
}

std::string renderExecution(const pl::PipelineExecution& x, bool wide,
                            const std::map<std::string, std::vector<std::string>>& podsByStep, pl::UnixSeconds now) {
  const pl::ExecutionStatus& st = x.status;
  std::string out;
  auto field = [&](const char* label, const std::string& value) {
    if (!value.empty()) out += std::string(label) + std::string(12 - std::string(label).size(), ' ') + value + "\n";
  };
  field("Name:", x.metadata.name);
  field("Namespace:", x.metadata.namespace_);
  field("Pipeline:", x.spec.pipelineRef + (st.pipelineGeneration ? " (generation " + std::to_string(st.pipelineGeneration) + ")" : ""));
  field("Phase:", pl::toString(st.phase));
  if (st.selectiveExecution) {
    field("Source:", st.selectiveExecution->sourceExecution);
    field("Selected:", joined(st.selectiveExecution->selectedSteps));
  }
  field("Started:", st.startTime.value_or(""));
  if (st.startTime) field("Duration:", durationOf(st.startTime, st.endTime, now));
  field("Failure:", st.failureReason);
  if (const pl::StatusCondition* c = pl::findCondition(st.conditions, "StaleReuse")) field("Warning:", "StaleReuse: " + c->message);
  if (st.phase == pl::ExecutionPhase::Pending)
    if (const pl::StatusCondition* c = pl::findCondition(st.conditions, "Succeeded")) field("Waiting:", c->reason + ": " + c->message);
  if (!st.pipelineSpec || st.steps.empty()) return out;

  const pl::Dag dag = pl::Dag::build(*st.pipelineSpec);
  const auto order = dag.topologicalOrder().value_or(dag.steps());
  const auto depth = depths(dag, order);
  std::map<std::string, const pl::StepStatus*> byName;
  for (const auto& s : st.steps) byName[s.name] = &s;
  Row header = {"STEP", "PHASE", "DURATION", "ATTEMPTS", "JOB", "FROM", "REASON"};
  if (wide) header.insert(header.begin() + 5, "PODS");
  std::vector<Row> rows;
  for (const auto& name : order) {
    auto it = byName.find(name);
    if (it == byName.end()) continue;
    const pl::StepStatus& s = *it->second;
    const int d = depth.at(name);
    std::string label = (d ? std::string(2 * (d - 1), ' ') + "└─" : "") + phaseGlyph(s.phase) + " " + name;
    std::string from = s.reusedFromExecution ? "reused " + *s.reusedFromExecution
                       : s.cacheHitExecution ? "cache " + *s.cacheHitExecution : "-";
    std::string reason = s.reason;
    if (s.conditionOutcome) reason = "outcome " + *s.conditionOutcome;
    if (s.phase == pl::StepPhase::Failed && !s.message.empty()) reason += ": " + s.message;
    Row r = {label, pl::toString(s.phase),
             s.reusedFromExecution || s.cacheHitExecution ? "-" : durationOf(s.startTime, s.endTime, now),
             s.attemptCount ? std::to_string(s.attemptCount) : "-", orDash(s.jobName), from, orDash(reason)};
    if (wide) {
      auto p = podsByStep.find(name);
      r.insert(r.begin() + 5, p == podsByStep.end() ? "-" : joined(p->second, ","));
    }
    rows.push_back(std::move(r));
  }
  out += "\n" + renderTable(header, rows);
  return out;
}

std::string renderParameters(const pl::PipelineExecution& x) {
  std::vector<Row> rows;
  for (const auto& p : x.status.parameters) {
    std::string type = "-";
    if (x.status.pipelineSpec)
      for (const auto& d : x.status.pipelineSpec->parameters)
        if (d.name == p.name) type = pl::toString(d.type);
    rows.push_back({p.name, type, p.value, pl::toString(p.source)});
  }
  return renderTable({"NAME", "TYPE", "VALUE", "SOURCE"}, rows);
}

std::string stepOutcome(const pl::StepStatus& s) {
  if (s.reusedFromExecution) return "reused from " + *s.reusedFromExecution;
  if (s.cacheHitExecution) return "cache hit of " + *s.cacheHitExecution;
  switch (s.phase) {
    case pl::StepPhase::Succeeded: return s.conditionOutcome ? "ran (outcome " + *s.conditionOutcome + ")" : "ran";
    case pl::StepPhase::Skipped: return "skipped: " + s.reason;
    case pl::StepPhase::Failed: return "failed: " + s.reason;
    default: return pl::toString(s.phase);
  }
}

std::string renderDiff(const pl::PipelineExecution& a, const pl::PipelineExecution& b) {
  std::string out;
  std::vector<std::string> names;
  auto collect = [&](const pl::ExecutionStatus& st) {
    for (const auto& p : st.parameters)
      if (std::find(names.begin(), names.end(), p.name) == names.end()) names.push_back(p.name);
  };
  collect(a.status);
  collect(b.status);
  auto valueIn = [](const pl::ExecutionStatus& st, const std::string& n) -> std::string {
    for (const auto& p : st.parameters)
      if (p.name == n) return p.value + " (" + pl::toString(p.source) + ")";
    return "-";
  };
  std::vector<Row> prow;
  for (const auto& n : names) {
    std::string va = valueIn(a.status, n), vb = valueIn(b.status, n);
    std::string plainA = va.substr(0, va.find(" (")), plainB = vb.substr(0, vb.find(" ("));
    if (plainA != plainB) prow.push_back({n, va, vb});
  }
  if (prow.empty()) out += "Parameters: the same effective values\n";
  else out += renderTable({"PARAMETER", a.metadata.name, b.metadata.name}, prow);
  out += "\n";
  std::vector<std::string> steps;
  for (const auto* st : {&a.status, &b.status})
    for (const auto& s : st->steps)
      if (std::find(steps.begin(), steps.end(), s.name) == steps.end()) steps.push_back(s.name);
  auto outcomeIn = [](const pl::ExecutionStatus& st, const std::string& n) -> std::string {
    for (const auto& s : st.steps)
      if (s.name == n) return stepOutcome(s);
    return "-";
  };
  std::vector<Row> srow;
  for (const auto& n : steps) {
    const std::string oa = outcomeIn(a.status, n), ob = outcomeIn(b.status, n);
    srow.push_back({n, oa, ob, oa == ob ? "" : "*"});
  }
  out += renderTable({"STEP", a.metadata.name, b.metadata.name, "DIFFERS"}, srow);
  return out;
}

std::string prefixLines(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    out += prefix + text.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string renderDag(const std::string& name, const pl::PipelineSpec& spec) {
  const pl::Dag dag = pl::Dag::build(spec);
  const auto order = dag.topologicalOrder();
  if (!order) return "pipeline " + name + " has a dependency cycle: " + joined(dag.findCycle().value_or(std::vector<std::string>{}), " -> ") + "\n";
  const auto depth = depths(dag, *order);
  std::string out = "Pipeline " + name + "\n";
  for (const auto& s : *order) {
    const int d = depth.at(s);
    std::vector<std::string> deps(dag.dependencies(s).begin(), dag.dependencies(s).end());
    std::string line = std::string(2 * static_cast<size_t>(d), ' ') + s;
    if (!deps.empty()) line += "  <- " + joined(deps);
    for (const auto& st : spec.steps) {
      if (st.name != s || !st.condition) continue;
      line += "  [if: " + joined(st.condition->ifSteps) + "; else: " + joined(st.condition->elseSteps) + "]";
    }
    out += line + "\n";
  }
  return out;
}

std::string renderDagDot(const std::string& name, const pl::PipelineSpec& spec) {
  const pl::Dag dag = pl::Dag::build(spec);
  auto quote = [](const std::string& s) { return "\"" + s + "\""; };  // step names are [A-Za-z0-9_-]
  std::string out = "digraph " + quote(name) + " {\n  rankdir=LR;\n";
  for (const auto& s : spec.steps) {
    const char* shape = s.kind == pl::StepKind::Condition ? "diamond" : s.kind == pl::StepKind::Fail ? "octagon" : "box";
    out += "  " + quote(s.name) + " [shape=" + shape + "];\n";
  }
  for (const auto& s : spec.steps) {
    for (const auto& dep : dag.dependencies(s.name)) {
      std::string label;
      for (const auto& c : spec.steps) {
        if (c.name != dep || !c.condition) continue;
        if (std::find(c.condition->ifSteps.begin(), c.condition->ifSteps.end(), s.name) != c.condition->ifSteps.end()) label = "if";
        if (std::find(c.condition->elseSteps.begin(), c.condition->elseSteps.end(), s.name) != c.condition->elseSteps.end()) label = "else";
      }
      out += "  " + quote(dep) + " -> " + quote(s.name) + (label.empty() ? "" : " [label=" + label + "]") + ";\n";
    }
  }
  return out + "}\n";
}

}  // namespace sluice::cli

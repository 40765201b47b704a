// The read-only commands: list, get, params, diff, dag.
#include <algorithm>
#include <map>

#include "cli/command_context.h"
#include "cli/execution_view.h"
#include "cli/exit_codes.h"
#include "cli/object_output.h"
#include "controller/json_access.h"
#include "pipeline/model_json.h"

namespace sluice::cli {

using controller::stringAt;
using web::json::value;
namespace pl = sluice::pipeline;

int reportClusterError(CommandContext& c, const kube::Error& e, const std::string& what) {
  c.err << "error: " << describeError(e, what) << "\n";
  return kExitCluster;
}

std::string executionWhat(CommandContext& c, const std::string& name) {
  return "execution '" + name + "' in namespace '" + c.api.ns() + "'";
}

std::map<std::string, std::vector<std::string>> podsByStep(CommandContext& c, const std::string& execution) {
  std::map<std::string, std::vector<std::string>> m;
  auto pods = c.api.podsOf(execution);
  if (!pods.ok()) return m;  // the table still shows; the PODS column says "-"
  for (const auto& p : *pods) m[stringAt(p, {"metadata", "labels", "sluice.dev/step"})].push_back(stringAt(p, {"metadata", "name"}));
  return m;
}

namespace {

bool printObject(CommandContext& c, const value& object) {
  switch (c.args.global.output) {
    case OutputFormat::Json: c.out << toPrettyJson(object); return true;
    case OutputFormat::Yaml: c.out << toYaml(object); return true;
    case OutputFormat::Name: c.out << executionResourceName(stringAt(object, {"metadata", "name"})) << "\n"; return true;
    default: return false;
  }
}

}  // namespace

int listCommand(CommandContext& c) {
  auto r = c.api.executions(c.args.selector, c.args.global.allNamespaces);
  if (!r.ok()) return reportClusterError(c, r.error(), "executions");
  std::vector<value> items;
  for (auto& x : *r) {
    if (!c.args.positional.empty() && stringAt(x, {"spec", "pipelineRef", "name"}) != c.args.positional[0]) continue;
    if (!c.args.status.empty() && stringAt(x, {"status", "phase"}) != c.args.status &&
        !(c.args.status == "Pending" && stringAt(x, {"status", "phase"}).empty()))
      continue;
    items.push_back(x);
  }
  const OutputFormat f = c.args.global.output;
  if (f == OutputFormat::Json || f == OutputFormat::Yaml) {
    value list;
    list["apiVersion"] = value::string("v1");
    list["kind"] = value::string("List");
    list["items"] = value::array(items);
    c.out << (f == OutputFormat::Json ? toPrettyJson(list) : toYaml(list));
    return kExitOk;
  }
  if (f == OutputFormat::Name) {
    for (const auto& x : items) c.out << executionResourceName(stringAt(x, {"metadata", "name"})) << "\n";
    return kExitOk;
  }
  if (items.empty()) {
    c.err << "No executions found" << (c.args.global.allNamespaces ? "" : " in namespace " + c.api.ns()) << ".\n";
    return kExitOk;
  }
  std::vector<pl::PipelineExecution> parsed;
  for (const auto& x : items) parsed.push_back(pl::parsePipelineExecution(x).value);
  c.out << renderExecutionList(parsed, c.args.global.allNamespaces, f == OutputFormat::Wide, c.now());
  return kExitOk;
}

int getCommand(CommandContext& c) {
  auto name = c.api.resolveExecutionName(c.args.positional[0]);
  if (!name.ok()) return reportClusterError(c, name.error(), "execution " + c.args.positional[0]);
  auto draw = [&](const value& object) {
    if (printObject(c, object)) return;
    const bool wide = c.args.global.output == OutputFormat::Wide;
    const auto parsed = pl::parsePipelineExecution(object).value;
    c.out << renderExecution(parsed, wide, wide ? podsByStep(c, *name) : std::map<std::string, std::vector<std::string>>{}, c.now());
  };
  if (!c.args.watch) {
    auto x = c.api.execution(*name);
    if (!x.ok()) return reportClusterError(c, x.error(), executionWhat(c, *name));
    draw(*x);
    return kExitOk;
  }
  const int rc = watchExecution(c, *name, std::nullopt);
  return rc == kExitCluster ? rc : kExitOk;
}

int paramsCommand(CommandContext& c) {
  auto x = c.api.execution(c.args.positional[0]);
  if (!x.ok()) return reportClusterError(c, x.error(), executionWhat(c, c.args.positional[0]));
  const auto parsed = pl::parsePipelineExecution(*x).value;
  const OutputFormat f = c.args.global.output;
  if (f == OutputFormat::Json || f == OutputFormat::Yaml) {
    value params = x->has_field("status") && x->at("status").has_field("parameters") ? x->at("status").at("parameters") : value::array();
    c.out << (f == OutputFormat::Json ? toPrettyJson(params) : toYaml(params));
    return kExitOk;
  }
  if (parsed.status.parameters.empty()) {
    c.err << "execution " << parsed.metadata.name << " has no resolved parameters yet (phase "
          << pl::toString(parsed.status.phase) << ")\n";
    return kExitOk;
  }
  c.out << renderParameters(parsed);
  return kExitOk;
}

int diffCommand(CommandContext& c) {
  std::vector<pl::PipelineExecution> xs;
  for (const auto& ref : c.args.positional) {
    auto x = c.api.execution(ref);
    if (!x.ok()) return reportClusterError(c, x.error(), executionWhat(c, ref));
    xs.push_back(pl::parsePipelineExecution(*x).value);
  }
  c.out << renderDiff(xs[0], xs[1]);
  return kExitOk;
}

int dagCommand(CommandContext& c) {
  const std::string& name = c.args.positional[0];
  auto p = c.api.pipeline(name);
  if (!p.ok()) return reportClusterError(c, p.error(), "pipeline '" + name + "' in namespace '" + c.api.ns() + "'");
  const auto parsed = pl::parsePipeline(*p);
  if (c.args.global.output == OutputFormat::Dot) c.out << renderDagDot(name, parsed.value.spec);
  else c.out << renderDag(name, parsed.value.spec);
  return kExitOk;
}

}  // namespace sluice::cli

// start, rerun and plan: build the execution the user asks for, let the
// operator's planner judge it (plan_preview.h), and only then create it.
// A refused run creates nothing.
#include "cli/command_context.h"
#include "cli/exit_codes.h"
#include "cli/object_output.h"
#include "cli/plan_preview.h"
#include "cli/run_request.h"
#include "controller/json_access.h"
#include "pipeline/model_json.h"

namespace sluice::cli {

using controller::stringAt;
using web::json::value;
namespace pl = sluice::pipeline;

namespace {

void printPlan(CommandContext& c, const PlanPreview& preview) {
  switch (c.args.global.output) {
    case OutputFormat::Json: c.out << toPrettyJson(toJson(preview)); break;
    case OutputFormat::Yaml: c.out << toYaml(toJson(preview)); break;
    default: c.out << renderPlan(preview); break;
  }
}

}  // namespace

int runCommand(CommandContext& c) {
  RunRequest request = c.args.run;
  const std::string& ns = c.api.ns();

  // rerun EXECUTION: its Pipeline, with it as the source.
  if (c.args.command == "rerun") {
    auto source = c.api.execution(*request.from);
    if (!source.ok()) return reportClusterError(c, source.error(), "execution '" + *request.from + "' in namespace '" + ns + "'");
    request.from = stringAt(*source, {"metadata", "name"});
    request.pipeline = stringAt(*source, {"spec", "pipelineRef", "name"});
  } else if (request.from) {
    auto name = c.api.resolveExecutionName(*request.from, request.pipeline);
    if (!name.ok()) return reportClusterError(c, name.error(), "--from " + *request.from);
    request.from = *name;
  }

  auto pipelineObject = c.api.pipeline(request.pipeline);
  if (!pipelineObject.ok())
    return reportClusterError(c, pipelineObject.error(), "pipeline '" + request.pipeline + "' in namespace '" + ns + "'");
  const pl::Pipeline livePipeline = pl::parsePipeline(*pipelineObject).value;

  std::vector<pl::ResolvedParameter> earlier;
  if (request.paramsFrom) {
    auto x = c.api.execution(*request.paramsFrom);
    if (!x.ok()) return reportClusterError(c, x.error(), "--params-from execution '" + *request.paramsFrom + "' in namespace '" + ns + "'");
    earlier = pl::parsePipelineExecution(*x).value.status.parameters;
    if (earlier.empty()) {
      c.err << "error: --params-from " << *request.paramsFrom << ": that execution has no resolved parameters\n";
      return kExitUsage;
    }
  }
  const auto parameters = explicitParameters(request, livePipeline.spec.parameters, request.paramsFrom ? &earlier : nullptr);
  const value manifest = executionManifest(request, ns, parameters);

  auto all = c.api.executions();
  if (!all.ok()) return reportClusterError(c, all.error(), "executions in namespace '" + ns + "'");
  const PlanPreview preview = previewPlan(buildPlanInput(manifest, &*pipelineObject, *all, c.now()));

  if (c.args.command == "plan" || c.args.dryRun) {
    printPlan(c, preview);
    return preview.accepted ? kExitOk : kExitFailed;
  }
  if (!preview.accepted) {
    c.err << "error: the run is refused (" << preview.reason << "): " << preview.message << "\nNothing was created.\n";
    return kExitFailed;
  }

  auto created = c.api.createExecution(manifest);
  if (!created.ok()) return reportClusterError(c, created.error(), "creating an execution of '" + request.pipeline + "'");
  const std::string name = stringAt(*created, {"metadata", "name"});
  switch (c.args.global.output) {
    case OutputFormat::Json: c.out << toPrettyJson(*created); break;
    case OutputFormat::Yaml: c.out << toYaml(*created); break;
    case OutputFormat::Name: c.out << executionResourceName(name) << "\n"; break;
    default: c.out << executionResourceName(name) << " created\n"; break;
  }
  for (const auto& w : preview.warnings) c.err << "warning: " << w << "\n";
  if (!c.args.wait && !c.args.watch) return kExitOk;

  CliArgs follow = c.args;
  follow.positional = {name};
  follow.global.output = OutputFormat::Table;
  CommandContext fc{follow, c.api, c.out, c.err, c.now, c.sleep, c.outIsTerminal};
  if (c.args.watch) return watchExecution(fc, name, c.args.timeoutSeconds);
  return waitCommand(fc);
}

}  // namespace sluice::cli

// stop EXECUTION: sets spec.stop; the operator deletes the running Jobs.
#include "cli/command_context.h"
#include "cli/exit_codes.h"
#include "cli/object_output.h"
#include "controller/json_access.h"

namespace sluice::cli {

using controller::stringAt;
using web::json::value;

int stopCommand(CommandContext& c) {
  auto name = c.api.resolveExecutionName(c.args.positional[0]);
  if (!name.ok()) return reportClusterError(c, name.error(), "execution " + c.args.positional[0]);
  auto x = c.api.execution(*name);
  if (!x.ok()) return reportClusterError(c, x.error(), executionWhat(c, *name));
  const std::string phase = stringAt(*x, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed" || phase == "Stopped") {
    c.out << executionResourceName(*name) << " already ended (" << phase << "); nothing to stop\n";
    return kExitOk;
  }
  value patch;
  patch["spec"]["stop"] = value::boolean(true);
  auto r = c.api.patchExecution(*name, patch);
  if (!r.ok()) return reportClusterError(c, r.error(), executionWhat(c, *name));
  c.out << executionResourceName(*name) << " stopping\n";
  return kExitOk;
}

}  // namespace sluice::cli

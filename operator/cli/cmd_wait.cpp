// Following an execution to its end: wait (exit code by phase), and the
// live step tree of get --watch / start --watch. Polls every 500 ms (the
// resourceVersion tells what changed); the deadline is the caller's.
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

int watchExecution(CommandContext& c, const std::string& name, std::optional<long> timeoutSeconds) {
  bool first = true;
  const bool wide = c.args.global.output == OutputFormat::Wide;
  return waitForEnd(c, name, timeoutSeconds, [&](const value& object) {
    if (c.outIsTerminal) c.out << "\x1b[H\x1b[2J";  // redraw in place
    else if (!first) c.out << "\n";
    first = false;
    const auto parsed = pl::parsePipelineExecution(object).value;
    c.out << renderExecution(parsed, wide, wide ? podsByStep(c, name) : std::map<std::string, std::vector<std::string>>{}, c.now());
    c.out.flush();
  });
}

int waitForEnd(CommandContext& c, const std::string& name, std::optional<long> timeoutSeconds,
               const std::function<void(const value&)>& onChange) {
  const auto start = std::chrono::steady_clock::now();
  std::string seen;
  for (;;) {
    auto x = c.api.execution(name);
    if (!x.ok()) return reportClusterError(c, x.error(), executionWhat(c, name));
    const std::string version = stringAt(*x, {"metadata", "resourceVersion"});
    if (version != seen && onChange) onChange(*x);
    seen = version;
    const std::string phase = stringAt(*x, {"status", "phase"});
    if (phase == "Succeeded") return kExitOk;
    if (phase == "Failed") return kExitFailed;
    if (phase == "Stopped") return kExitStopped;
    if (timeoutSeconds && std::chrono::steady_clock::now() - start >= std::chrono::seconds(*timeoutSeconds)) {
      c.err << "error: timed out after " << *timeoutSeconds << "s waiting for " << name << " (phase "
            << (phase.empty() ? "Pending" : phase) << ")\n";
      return kExitTimeout;
    }
    c.sleep(std::chrono::milliseconds(500));
  }
}

int waitCommand(CommandContext& c) {
  auto name = c.api.resolveExecutionName(c.args.positional[0]);
  if (!name.ok()) return reportClusterError(c, name.error(), "execution " + c.args.positional[0]);
  std::string phase, failure;
  const int rc = waitForEnd(c, *name, c.args.timeoutSeconds, [&](const value& x) {
    phase = stringAt(x, {"status", "phase"});
    failure = stringAt(x, {"status", "failureReason"});
  });
  if (rc == kExitOk || rc == kExitFailed || rc == kExitStopped)
    c.out << executionResourceName(*name) << " " << phase << (failure.empty() ? "" : ": " + failure) << "\n";
  return rc;
}

}  // namespace sluice::cli

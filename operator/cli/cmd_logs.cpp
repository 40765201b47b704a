// logs EXECUTION [STEP]: the main container's log of each step's pods, found
// by the sluice.dev/execution and sluice.dev/step labels the operator puts on
// them. Lines are prefixed with "[STEP] " when several steps print. -f
// re-reads the logs every 2 s and prints what is new until every pod ended
// (the client has no streaming reads).
#include <map>

#include "cli/command_context.h"
#include "cli/execution_view.h"
#include "cli/exit_codes.h"
#include "controller/json_access.h"
#include "controller/observe.h"

namespace sluice::cli {

using controller::stringAt;
using web::json::value;

namespace {

struct PodLog {
  std::string step, pod, phase;
  size_t printed = 0;  // bytes of its log already written
};

std::string logPath(const std::string& ns, const std::string& pod) {
  return kube::resources::pods().object_path(ns, pod, "log") + "?container=" + controller::kMainContainerName;
}

void printNew(CommandContext& c, PodLog& p, const std::string& text, bool prefix) {
  if (text.size() <= p.printed) return;
  c.out << prefixLines(text.substr(p.printed), prefix ? "[" + p.step + "] " : "");
  p.printed = text.size();
}

}  // namespace

int logsCommand(CommandContext& c) {
  auto name = c.api.resolveExecutionName(c.args.positional[0]);
  if (!name.ok()) return reportClusterError(c, name.error(), "execution " + c.args.positional[0]);
  auto x = c.api.execution(*name);
  if (!x.ok()) return reportClusterError(c, x.error(), "execution '" + *name + "' in namespace '" + c.api.ns() + "'");
  const std::string wantedStep = c.args.positional.size() > 1 ? c.args.positional[1] : "";
  std::map<std::string, std::string> stepPhase;
  if (const value* steps = controller::arrayAt(*x, {"status", "steps"}))
    for (const auto& s : steps->as_array()) stepPhase[stringAt(s, {"name"})] = stringAt(s, {"phase"});
  if (!wantedStep.empty() && !stepPhase.empty() && !stepPhase.count(wantedStep)) {
    c.err << "error: execution " << *name << " has no step '" << wantedStep << "'\n";
    return kExitUsage;
  }
  std::map<std::string, PodLog> seen;  // per pod, across -f rounds
  int readable = 0, unreadable = 0;
  for (bool more = true; more;) {
    auto pods = c.api.podsOf(*name);
    if (!pods.ok()) return reportClusterError(c, pods.error(), "pods of execution '" + *name + "'");
    std::vector<PodLog*> chosen;
    for (const auto& pod : *pods) {
      const std::string step = stringAt(pod, {"metadata", "labels", "sluice.dev/step"});
      if (!wantedStep.empty() && step != wantedStep) continue;
      if (c.args.failedOnly && stepPhase[step] != "Failed") continue;
      PodLog& p = seen[stringAt(pod, {"metadata", "name"})];
      p.step = step;
      p.pod = stringAt(pod, {"metadata", "name"});
      p.phase = stringAt(pod, {"status", "phase"});
      chosen.push_back(&p);
    }
    if (chosen.empty() && !c.args.follow) {
      c.err << "no pods" << (wantedStep.empty() ? "" : " for step " + wantedStep) << " in execution " << *name
            << (c.args.failedOnly ? " with a failed step" : "") << "\n";
      return kExitOk;
    }
    std::map<std::string, int> steps;
    for (auto* p : chosen) ++steps[p->step];
    const bool prefix = steps.size() > 1;
    more = c.args.follow;
    bool allEnded = !chosen.empty();
    for (auto* p : chosen) {
      auto text = c.api.client().get_text(logPath(c.api.ns(), p->pod));
      if (!text.ok()) {
        // One pod's log may be unreadable (not started, its node gone)
        // while the others are fine: say so and go on.
        if (!c.args.follow) {
          c.err << "warning: cannot read the log of pod " << p->pod << ": " << text.error().message << "\n";
          ++unreadable;
        }
        allEnded = allEnded && (p->phase == "Succeeded" || p->phase == "Failed");
        continue;
      }
      ++readable;
      printNew(c, *p, *text, prefix);
      if (p->phase != "Succeeded" && p->phase != "Failed") allEnded = false;
    }
    auto now = c.api.execution(*name);
    if (!now.ok()) return reportClusterError(c, now.error(), "execution '" + *name + "'");
    const auto phase = stringAt(*now, {"status", "phase"});
    if (more && allEnded && (phase == "Succeeded" || phase == "Failed" || phase == "Stopped")) more = false;
    if (more) c.sleep(std::chrono::milliseconds(2000));
  }
  return unreadable > 0 && readable == 0 ? kExitCluster : kExitOk;
}

}  // namespace sluice::cli

// Writes, into the directory given as argv[1], one JSON object per phase as
// the operator's planner and Pipeline reconciler produce them today (the
// Abalone pipeline driven by the simulation of tests/pipeline), for
// sluice-gitops-check to judge with Argo CD's Lua and kstatus
// (samples.tsv holds the verdicts they must reach). Objects recorded from a
// real API server are in testdata/; these keep the check in step with the
// code as it changes.
#include <fstream>
#include <functional>
#include <iostream>

#include "controller/pipeline_reconciler.h"
#include "fixtures_abalone.h"
#include "model_json.h"
#include "plan_status.h"

namespace {

using namespace sluice::pipeline;
using namespace sluice::pipeline::testing;
using web::json::value;

value envelope(const char* kind, const std::string& name, int64_t generation) {
  value v;
  v["apiVersion"] = value::string("sluice.dev/v1alpha1");
  v["kind"] = value::string(kind);
  v["metadata"]["name"] = value::string(name);
  v["metadata"]["namespace"] = value::string("ml");
  v["metadata"]["uid"] = value::string("uid-" + name);
  v["metadata"]["generation"] = value::number(generation);
  return v;
}

value executionObject(const PipelineExecution& x) {
  value v = envelope("PipelineExecution", x.metadata.name, x.metadata.generation);
  v["spec"] = toJson(x.spec);
  v["status"] = toJson(x.status);
  return v;
}

// An execution driven by the simulation until stop(sim) says so.
PipelineExecution run(const std::string& name, const std::function<void(Simulation&)>& setup,
                      const std::function<bool(const Simulation&)> stop, Pipeline pipeline = abalonePipeline(),
                      std::vector<ParameterValue> params = {}) {
  Simulation sim(std::move(pipeline), makeExecution(name, kT0, std::move(params)));
  sim.scripts["Evaluate"].properties = {{"mse", "4.37"}};
  setup(sim);
  for (int i = 0; i < 100 && !stop(sim); ++i) sim.step();
  return sim.execution;
}

bool finished(const Simulation& s) { return isTerminal(s.execution.status.phase); }

value pipelineObject(const Pipeline& p, int64_t generation, const value& oldStatus) {
  value v = envelope("Pipeline", p.metadata.name, generation);
  v["spec"] = toJson(p.spec);
  v["status"] = sluice::controller::pipelineStatus(v, oldStatus, kT0);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sluice-status-samples OUTDIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  std::map<std::string, value> samples;
  auto none = [](Simulation&) {};

  samples["execution-executing"] = executionObject(run("x-exec", none, [](const Simulation& s) {
    return s.execution.status.phase == ExecutionPhase::Executing;
  }));
  samples["execution-succeeded"] = executionObject(run("x-ok", none, finished));
  samples["execution-step-failed"] = executionObject(run(
      "x-fail", [](Simulation& s) { s.scripts["Train"].failuresBeforeSuccess = 99; }, finished));
  Pipeline cyclic = abalonePipeline();
  cyclic.spec.steps[0].dependsOn = {"Evaluate"};
  samples["execution-pipeline-invalid"] = executionObject(run("x-badpl", none, finished, cyclic));
  samples["execution-invalid-parameters"] =
      executionObject(run("x-badparam", none, finished, abalonePipeline(), {{"XGBNumRounds", "many"}}));

  PlanInput orphan;
  orphan.execution = makeExecution("x-orphan", kT0);
  orphan.now = kT0;
  orphan.execution.status = plan(orphan).status;
  samples["execution-pipeline-not-found"] = executionObject(orphan.execution);

  PipelineExecution stopped = run(
      "x-stop", [](Simulation& s) { s.scripts["Preprocess"].neverFinish = true; },
      [](const Simulation& s) { return !s.jobs.empty(); });
  stopped.spec.stop = true;
  stopped.metadata.generation = 2;
  PlanInput stopping;
  stopping.execution = stopped;
  stopping.now = kT0 + 100;
  ObservedJob job;
  job.name = stopped.status.steps[0].jobName;
  job.step = "Preprocess";
  job.active = 1;
  stopping.jobs = {job};
  stopped.status = plan(stopping).status;
  samples["execution-stopping"] = executionObject(stopped);
  stopping.execution = stopped;
  stopping.jobs.clear();
  stopped.status = plan(stopping).status;
  samples["execution-stopped"] = executionObject(stopped);

  // Succeeded, then its spec edited (generation 2) before the operator saw it.
  PipelineExecution edited = run("x-edited", none, finished);
  edited.metadata.generation = 2;
  edited.spec.maxParallelSteps = 1;
  samples["execution-spec-not-observed"] = executionObject(edited);

  // Failed under an operator without Reconciling/Stalled, before and after
  // the current one acknowledges it.
  PipelineExecution legacy = run(
      "x-legacy", [](Simulation& s) { s.scripts["Train"].failuresBeforeSuccess = 99; }, finished);
  auto& conds = legacy.status.conditions;
  conds.erase(std::remove_if(conds.begin(), conds.end(),
                             [](const StatusCondition& c) { return c.type == "Reconciling" || c.type == "Stalled"; }),
              conds.end());
  samples["execution-failed-legacy"] = executionObject(legacy);
  acknowledgeGeneration(legacy.status, legacy.metadata.generation, kT0 + 500);
  samples["execution-failed-legacy-acknowledged"] = executionObject(legacy);

  const value valid = pipelineObject(abalonePipeline(), 3, value::object());
  samples["pipeline-valid"] = valid;
  samples["pipeline-invalid"] = pipelineObject(cyclic, 3, value::object());
  value unseen = valid;
  unseen["metadata"]["generation"] = value::number(4);
  samples["pipeline-spec-not-observed"] = unseen;

  for (const auto& [name, object] : samples) {
    std::ofstream out(dir + "/" + name + ".json");
    out << object.serialize() << "\n";
    if (!out) {
      std::cerr << "cannot write " << dir << "/" << name << ".json\n";
      return 1;
    }
  }
  return 0;
}

// bench_plan: the CPU cost of one execution reconcile's pure work, and the
// status size, for wide pipelines next to a 10-step baseline measured in
// the same run. No cluster, no I/O; see README.md in this directory.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "controller/observe.h"
#include "job_pod.h"
#include "pipeline/model_json.h"
#include "pipeline/plan.h"
#include "pipeline/plan_render.h"
#include "pipeline/plan_time.h"
#include "stats.h"

namespace {

using namespace sluice;
using pipeline::ExecutionPhase;
using pipeline::PipelineSpec;
using pipeline::StepPhase;
using pipeline::StepSpec;
using web::json::value;

const char* kNamespace = "bench";
const char* kPipeline = "wide";
const char* kExecution = "wide-x62pb";
const char* kExecutionUid = "0f8e2a6c-3c1d-4c1e-9a55-6c0d8f4f1e2b";
const pipeline::UnixSeconds kT0 = *pipeline::parseRfc3339("2026-12-02T20:00:00Z");

StepSpec step(const std::string& name, const std::vector<std::string>& after) {
  StepSpec s;
  s.name = name;
  s.container = pipeline::ContainerSpec{};
  s.container->image = "registry.example/team/training:1.0";
  s.container->command = {"python", "step.py"};
  s.container->args = {"--rounds", "$(params.Rounds)"};
  // The first upstream step's output as an input, the rest as dependsOn
  // (inputs are capped at 64 per step; a fan-in has hundreds).
  if (!after.empty()) s.inputs = {{"in", "$(steps." + after.front() + ".outputs.out)", "/in"}};
  s.dependsOn.assign(after.begin() + (after.empty() ? 0 : 1), after.end());
  s.outputs = {{"out", "/out"}};
  return s;
}

PipelineSpec base() {
  PipelineSpec p;
  p.parameters = {{"Rounds", pipeline::ParamType::Integer, std::string("120"), ""}};
  pipeline::S3Store s3;
  s3.endpoint = "http://minio.minio:9000";
  s3.bucket = "pipelines";
  s3.prefix = "ml";
  p.artifactStore = pipeline::ArtifactStore{s3};
  return p;
}

PipelineSpec linear(size_t n) {
  PipelineSpec p = base();
  for (size_t i = 0; i < n; ++i)
    p.steps.push_back(step("S" + std::to_string(i), i ? std::vector<std::string>{"S" + std::to_string(i - 1)}
                                                      : std::vector<std::string>{}));
  return p;
}

// Start -> W0 .. W(width-1) -> End: width + 2 steps.
PipelineSpec fanOut(size_t width) {
  PipelineSpec p = base();
  p.steps.push_back(step("Start", {}));
  std::vector<std::string> workers;
  for (size_t i = 0; i < width; ++i) {
    workers.push_back("W" + std::to_string(i));
    p.steps.push_back(step(workers.back(), {"Start"}));
  }
  p.steps.push_back(step("End", workers));
  return p;
}

// What the informer caches hold for one execution: the execution and the
// Pipeline as JSON, this execution's Jobs and pods as JSON.
struct World {
  value pipeline;
  value execution;
  std::map<std::string, value> jobs;  // by Job name
  std::map<std::string, value> pods;  // by Job name
  std::map<std::string, std::string> stepOf;  // Job name -> step
};

World startWorld(const PipelineSpec& spec) {
  World w;
  w.pipeline["apiVersion"] = value::string("sluice.dev/v1alpha1");
  w.pipeline["kind"] = value::string("Pipeline");
  w.pipeline["metadata"]["name"] = value::string(kPipeline);
  w.pipeline["metadata"]["namespace"] = value::string(kNamespace);
  w.pipeline["metadata"]["uid"] = value::string("pipeline-uid");
  w.pipeline["metadata"]["generation"] = value::number(1);
  w.pipeline["spec"] = pipeline::toJson(spec);
  w.execution["apiVersion"] = value::string("sluice.dev/v1alpha1");
  w.execution["kind"] = value::string("PipelineExecution");
  w.execution["metadata"]["name"] = value::string(kExecution);
  w.execution["metadata"]["namespace"] = value::string(kNamespace);
  w.execution["metadata"]["uid"] = value::string(kExecutionUid);
  w.execution["metadata"]["generation"] = value::number(1);
  w.execution["metadata"]["resourceVersion"] = value::string("1");
  w.execution["spec"]["pipelineRef"]["name"] = value::string(kPipeline);
  return w;
}

std::string rfc3339(pipeline::UnixSeconds t) { return pipeline::formatRfc3339(t); }

// sluice-runner's report for a step with one output "out".
std::string runnerMessage(const std::string& step) {
  value out;
  out["name"] = value::string("out");
  out["uri"] = value::string(std::string("s3://pipelines/ml/") + kNamespace + "/" + kPipeline + "/" + kExecution +
                             "/" + step + "/out/");
  out["size"] = value::number(123456);
  out["sha256"] = value::string(std::string(64, 'a'));
  out["files"] = value::number(3);
  value m;
  m["exitCode"] = value::number(0);
  m["outputs"] = value::array({out});
  m["properties"] = value::array();
  return m.serialize();
}

void setPodPhase(value& pod, const std::string& step, bool succeeded, pipeline::UnixSeconds now) {
  value cs;
  cs["name"] = value::string(controller::kMainContainerName);
  if (succeeded) {
    cs["state"]["terminated"]["exitCode"] = value::number(0);
    cs["state"]["terminated"]["reason"] = value::string("Completed");
    cs["state"]["terminated"]["message"] = value::string(runnerMessage(step));
    cs["state"]["terminated"]["startedAt"] = value::string(rfc3339(now));
    cs["state"]["terminated"]["finishedAt"] = value::string(rfc3339(now));
  } else {
    cs["state"]["running"]["startedAt"] = value::string(rfc3339(now));
  }
  pod["status"]["phase"] = value::string(succeeded ? "Succeeded" : "Running");
  pod["status"]["startTime"] = value::string(rfc3339(now));
  pod["status"]["containerStatuses"] = value::array({cs});
}

pipeline::PlanOptions options() {
  pipeline::PlanOptions o;
  o.runnerImage = "registry.example/sluice-runner:1.0";
  return o;
}

// The reconciler's pure work for one reconcile (execution_reconciler.cpp):
// parse the execution (its cache parses each new version, and every status
// write makes one), the Pipeline until the snapshot exists, reduce Jobs and
// pods, plan, render the new status, compare it with the old one, and
// serialize the object for the status write.
struct Reconciled {
  pipeline::PlanOutput out;
  size_t statusBytes = 0;
  size_t objectBytes = 0;
};

Reconciled reconcileOnce(const World& w, pipeline::UnixSeconds now) {
  auto exec = pipeline::parsePipelineExecution(w.execution);
  pipeline::PlanInput in;
  in.options = options();
  in.now = now;
  in.executionErrors = exec.errors;
  if (!exec.value.status.pipelineSpec) {
    auto p = pipeline::parsePipeline(w.pipeline);
    in.pipeline = p.value;
    in.pipelineErrors = p.errors;
  }
  std::vector<value> jobs, pods;
  for (const auto& [name, job] : w.jobs) {
    jobs.push_back(job);
    auto it = w.pods.find(name);
    if (it != w.pods.end()) pods.push_back(it->second);
  }
  in.jobs = controller::observeJobs(jobs, pods);
  in.execution = exec.value;
  Reconciled r;
  r.out = pipeline::plan(in);
  value status = pipeline::toJson(r.out.status);
  const value old = w.execution.has_field("status") ? w.execution.at("status") : value::object();
  volatile bool changed = status != old;
  (void)changed;
  value updated = w.execution;
  updated["status"] = status;
  r.statusBytes = status.serialize().size();
  r.objectBytes = updated.serialize().size();
  return r;
}

// Applies a reconcile's result to the world as the API server and the Job
// controller would: the status is written, each new Job gets a Running pod.
void apply(World& w, const Reconciled& r, pipeline::UnixSeconds now) {
  w.execution["status"] = pipeline::toJson(r.out.status);
  for (const auto& j : r.out.jobsToCreate) {
    value job = j.manifest;
    job["metadata"]["namespace"] = value::string(kNamespace);
    job["metadata"]["uid"] = value::string("uid-" + j.name);
    w.jobs[j.name] = job;
    w.stepOf[j.name] = j.step;
    value pod = testing::podForJob(job, j.name + "-pod", "node-1");
    pod["metadata"]["namespace"] = value::string(kNamespace);
    pod["metadata"]["uid"] = value::string("pod-uid-" + j.name);
    setPodPhase(pod, j.step, false, now);
    w.pods[j.name] = pod;
  }
}

size_t succeededSteps(const World& w) {
  auto st = pipeline::parseExecutionStatus(w.execution.at("status")).value;
  size_t n = 0;
  for (const auto& s : st.steps) n += s.phase == StepPhase::Succeeded;
  return n;
}

// Drives the world until `target` steps have Succeeded in the status:
// reconcile, then let Running pods succeed (at most up to target).
void driveTo(World& w, size_t target, pipeline::UnixSeconds& now) {
  for (int round = 0; round < 100000; ++round) {
    now += 1;
    apply(w, reconcileOnce(w, now), now);
    const size_t done = succeededSteps(w);
    if (done >= target) return;
    size_t finishing = done;
    for (auto& [name, pod] : w.pods) {
      if (finishing >= target) break;
      if (pod.at("status").at("phase").as_string() != "Running") continue;
      setPodPhase(pod, w.stepOf.at(name), true, now);
      ++finishing;
    }
  }
  std::fprintf(stderr, "bench_plan: the simulation did not reach %zu succeeded steps\n", target);
  std::exit(1);
}

struct Workload {
  std::string name;
  PipelineSpec spec;
};

struct State {
  const char* name;
  World world;
  pipeline::UnixSeconds now;
};

// fresh: the first reconcile (no status: validate, snapshot, first Job);
// mid: half the steps Succeeded, the other ready ones running, nothing new
// observed (the steady reconcile every resync or event brings); end: all
// but the last step Succeeded and the last one's pod just Succeeded (the
// reconcile that completes the execution).
std::vector<State> statesOf(const PipelineSpec& spec) {
  std::vector<State> states;
  const size_t n = spec.steps.size();
  pipeline::UnixSeconds now = kT0;
  World w = startWorld(spec);
  states.push_back({"fresh", w, now});

  World mid = w;
  pipeline::UnixSeconds midNow = now;
  driveTo(mid, n / 2, midNow);
  states.push_back({"mid", mid, midNow + 1});

  World end = w;
  pipeline::UnixSeconds endNow = now;
  driveTo(end, n - 1, endNow);
  endNow += 1;
  apply(end, reconcileOnce(end, endNow), endNow);  // the last Job is created
  const std::string last = spec.steps.back().name;
  for (auto& [name, pod] : end.pods)
    if (end.stepOf.at(name) == last)
      setPodPhase(pod, last, true, endNow);
  states.push_back({"end", end, endNow + 1});
  return states;
}

double elapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

struct Figures {
  bench::Summary reconcile, planOnly;
  size_t statusBytes = 0, objectBytes = 0, jobsToCreate = 0;
  std::string phase;
};

Figures measure(const State& s, int runs) {
  Figures f;
  std::vector<double> full, planOnly;
  for (int i = 0; i < runs; ++i) {
    const auto t = std::chrono::steady_clock::now();
    Reconciled r = reconcileOnce(s.world, s.now);
    full.push_back(elapsedMs(t));
    f.statusBytes = r.statusBytes;
    f.objectBytes = r.objectBytes;
    f.jobsToCreate = r.out.jobsToCreate.size();
    f.phase = pipeline::toString(r.out.status.phase);
  }
  // plan() alone, on an input built once (what a caller with parsed,
  // observed state pays).
  auto exec = pipeline::parsePipelineExecution(s.world.execution);
  pipeline::PlanInput in;
  in.options = options();
  in.now = s.now;
  if (!exec.value.status.pipelineSpec) in.pipeline = pipeline::parsePipeline(s.world.pipeline).value;
  std::vector<value> jobs, pods;
  for (const auto& [name, job] : s.world.jobs) jobs.push_back(job);
  for (const auto& [name, pod] : s.world.pods) pods.push_back(pod);
  in.jobs = controller::observeJobs(jobs, pods);
  in.execution = exec.value;
  for (int i = 0; i < runs; ++i) {
    const auto t = std::chrono::steady_clock::now();
    volatile size_t sink = pipeline::plan(in).status.steps.size();
    (void)sink;
    planOnly.push_back(elapsedMs(t));
  }
  f.reconcile = bench::summarize(full);
  f.planOnly = bench::summarize(planOnly);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 51;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench_plan [--runs N]   (default 51 per workload and state)\n");
      return 2;
    }
  }
  if (runs < 1) runs = 1;
  const std::vector<Workload> workloads = {
      {"linear-10 (baseline)", linear(10)},
      {"fan-out 1->498->1 (500 steps)", fanOut(498)},
      {"fan-out 1->200->1 (202 steps)", fanOut(200)},
  };
  std::map<std::string, double> baseline;  // state -> median reconcile ms of the baseline
  std::map<std::string, size_t> baselineBytes;
  std::printf("bench_plan: %d runs per workload and state; times in ms of one reconcile's pure work\n", runs);
  for (const auto& wl : workloads) {
    std::printf("\n%s\n", wl.name.c_str());
    for (const State& s : statesOf(wl.spec)) {
      const Figures f = measure(s, runs);
      if (baseline.find(s.name) == baseline.end()) {
        baseline[s.name] = f.reconcile.median;
        baselineBytes[s.name] = f.objectBytes;
      }
      std::printf("  %-5s -> %-9s jobs+%-3zu reconcile %s\n", s.name, f.phase.c_str(), f.jobsToCreate,
                  bench::format(f.reconcile).c_str());
      std::printf("  %-5s    plan() alone            %s\n", "", bench::format(f.planOnly).c_str());
      std::printf("  %-5s    status %zu bytes, object %zu bytes; x%.1f the baseline's time, x%.1f its bytes\n", "",
                  f.statusBytes, f.objectBytes, f.reconcile.median / baseline[s.name],
                  static_cast<double>(f.objectBytes) / static_cast<double>(baselineBytes[s.name]));
    }
  }
  return 0;
}

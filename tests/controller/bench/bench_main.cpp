// bench_operator: how fast sluice-operator moves a linear pipeline along,
// against the real apiserver of tests/cluster/up.sh, next to the floor of a
// bare write-then-watch round trip and the ceiling of a reference controller
// that does nothing but create the next Job (reference_controller.h), each
// round measured on the same apiserver. Not a test: it prints figures. See
// README.md.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "apiserver_requests.h"
#include "floor_probe.h"
#include "kube/config.h"
#include "process.h"
#include "proc_usage.h"
#include "reference_controller.h"
#include "request_costs.h"
#include "stats.h"
#include "step_harness.h"
#include "watch_loop.h"

namespace sluice::bench {
namespace {

using web::json::value;

struct Options {
  int executions = 100;
  int steps = 10;
  int floor_samples = 200;
  int timeout_seconds = 300;
  int harness_threads = 16;
  int operator_workers = 0;  // 0: the operator's default
  int rounds = 3;           // ceiling then Sluice, alternated, for the spread
  int ceiling_workers = 0;  // 0: as many as the operator's workers
  bool no_ceiling = false;
  bool keep_namespace = false;
  std::string operator_bin = SLUICE_OPERATOR_BIN;  // --operator: compare another build
  // --history 0,1000,10000: instead of the ceiling rounds, Sluice runs with
  // that many finished executions of the same Pipeline retained in the
  // namespace (0 is always measured first: it is the baseline).
  std::vector<int> history;
  // --full-cluster: against up.sh --full, the real Job controller, scheduler
  // and kwok make, bind and start each pod; the harness only ends them.
  bool full_cluster = false;
  // --operator-arg ARG (repeatable): more flags for sluice-operator, after
  // the bench's own (a later flag wins), e.g. --status-batch-period=0.
  std::vector<std::string> operator_args;
  // --print-transitions: every step transition, execution by execution.
  bool print_transitions = false;
  // --cached: every step caches (defaults.cache.enabled) and takes the
  // parameter Run, which each execution sets to its own namespace/name: no
  // run ever hits another's entries, but every reconcile must consult the
  // cache index of all the Pipeline's executions (with --history, of every
  // retained one too).
  bool cached = false;
  // --request-costs: after each round, what each kind of request Sluice
  // sends costs the control plane when sent alone, and the throughput bound
  // those requests put on Sluice against the ceiling (request_costs.h).
  bool request_costs = false;
};

const kube::Resource kPipelines{"sluice.dev", "v1alpha1", "pipelines", true};
const kube::Resource kExecutions{"sluice.dev", "v1alpha1", "pipelineexecutions", true};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string randomSuffix() {
  std::mt19937 rng{std::random_device{}()};
  std::string s;
  for (int i = 0; i < 5; ++i) s += "abcdefghijklmnopqrstuvwxyz0123456789"[rng() % 36];
  return s;
}

std::string str(const value& v, std::initializer_list<const char*> path) {
  const value* cur = &v;
  for (const char* p : path) {
    if (!cur->is_object() || !cur->has_field(p)) return "";
    cur = &cur->at(p);
  }
  return cur->is_string() ? cur->as_string() : "";
}

// A loopback port free right now (the operator binds it a moment later).
int freeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

bool parseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&](int& out) {
      if (i + 1 >= argc) return false;
      out = std::atoi(argv[++i]);
      return out > 0;
    };
    bool ok = true;
    if (a == "--executions") ok = next(o.executions);
    else if (a == "--steps") ok = next(o.steps);
    else if (a == "--floor-samples") ok = next(o.floor_samples);
    else if (a == "--timeout-seconds") ok = next(o.timeout_seconds);
    else if (a == "--harness-threads") ok = next(o.harness_threads);
    else if (a == "--operator-workers") ok = next(o.operator_workers);
    else if (a == "--rounds") ok = next(o.rounds);
    else if (a == "--ceiling-workers") ok = next(o.ceiling_workers);
    else if (a == "--no-ceiling") o.no_ceiling = true;
    else if (a == "--keep-namespace") o.keep_namespace = true;
    else if (a == "--full-cluster") o.full_cluster = true;
    else if (a == "--operator" && i + 1 < argc) o.operator_bin = argv[++i];
    else if (a == "--operator-arg" && i + 1 < argc) o.operator_args.push_back(argv[++i]);
    else if (a == "--print-transitions") o.print_transitions = true;
    else if (a == "--cached") o.cached = true;
    else if (a == "--request-costs") o.request_costs = true;
    else if (a == "--history" && i + 1 < argc) {
      std::string list = argv[++i];
      ok = true;
      for (size_t at = 0; ok && at <= list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        const std::string item = list.substr(at, comma - at);
        ok = !item.empty() && item.find_first_not_of("0123456789") == std::string::npos && item.size() < 7;
        if (ok) o.history.push_back(std::stoi(item));
        at = comma + 1;
      }
      if (ok && std::find(o.history.begin(), o.history.end(), 0) == o.history.end()) o.history.insert(o.history.begin(), 0);
      std::sort(o.history.begin(), o.history.end());
      o.history.erase(std::unique(o.history.begin(), o.history.end()), o.history.end());
    }
    else ok = false;
    if (ok && o.request_costs && o.full_cluster) {
      // There the tally includes the Job controller's, scheduler's and
      // kwok's requests, which the ceiling's CPU already holds, and the
      // measured Jobs would get real pods.
      std::cerr << "--request-costs: not with --full-cluster\n";
      return false;
    }
    if (!ok) {
      std::cerr << "usage: bench_operator [--executions N] [--steps N] [--floor-samples N] [--timeout-seconds S]\n"
                   "                      [--harness-threads N] [--operator-workers N] [--keep-namespace]\n"
                   "                      [--rounds N] [--ceiling-workers N] [--no-ceiling] [--operator PATH]\n"
                   "                      [--history N,N,...] [--full-cluster] [--operator-arg ARG]...\n"
                   "                      [--print-transitions] [--cached] [--request-costs]\n";
      return false;
    }
  }
  return true;
}

value linearPipeline(const std::string& name, int steps, bool cached) {
  value p;
  p["apiVersion"] = value::string("sluice.dev/v1alpha1");
  p["kind"] = value::string("Pipeline");
  p["metadata"]["name"] = value::string(name);
  std::vector<value> list;
  for (int i = 0; i < steps; ++i) {
    value s;
    s["name"] = value::string("S" + std::to_string(i));
    s["container"]["image"] = value::string("registry.example/bench-step:1");
    if (i > 0) s["dependsOn"] = value::array({value::string("S" + std::to_string(i - 1))});
    if (cached) s["container"]["args"] = value::array({value::string("$(params.Run)")});
    list.push_back(s);
  }
  p["spec"]["steps"] = value::array(list);
  if (cached) {
    value run;
    run["name"] = value::string("Run");
    run["type"] = value::string("String");
    run["default"] = value::string("none");
    p["spec"]["parameters"] = value::array({run});
    p["spec"]["defaults"]["cache"]["enabled"] = value::boolean(true);
  }
  return p;
}

// An execution of linear10; with --cached its Run parameter is its own
// namespace/name, so its cache keys are its own.
value benchExecution(const std::string& ns, const std::string& name, bool cached) {
  value e;
  e["apiVersion"] = value::string("sluice.dev/v1alpha1");
  e["kind"] = value::string("PipelineExecution");
  e["metadata"]["name"] = value::string(name);
  e["spec"]["pipelineRef"]["name"] = value::string("linear10");
  if (cached) {
    value run;
    run["name"] = value::string("Run");
    run["value"] = value::string(ns + "/" + name);
    e["spec"]["parameters"] = value::array({run});
  }
  return e;
}

// Watches executions and remembers when each first reached a terminal phase.
class ExecutionWatch {
 public:
  ExecutionWatch(std::shared_ptr<kube::Client> c, const std::string& ns)
      : loop_(c, kExecutions, ns, "", [this](const kube::WatchEvent& e) { on(e); }) {}
  void start() { loop_.start(); }
  void stop() { loop_.stop(); }
  int requests() const { return loop_.requests(); }
  // Waits until `n` executions are terminal or `deadline`; true when all are.
  bool waitTerminal(size_t n, Clock::time_point deadline, const std::function<bool()>& keepWaiting) {
    std::unique_lock<std::mutex> l(mu_);
    while (done_.size() < n) {
      if (Clock::now() >= deadline || !keepWaiting()) return false;
      cv_.wait_for(l, std::chrono::milliseconds(200));
    }
    return true;
  }
  std::map<std::string, std::pair<std::string, Clock::time_point>> done() const {
    std::lock_guard<std::mutex> l(mu_);
    return done_;
  }

 private:
  void on(const kube::WatchEvent& e) {
    if (e.type != kube::WatchEventType::Added && e.type != kube::WatchEventType::Modified) return;
    const std::string phase = str(e.object, {"status", "phase"});
    if (phase != "Succeeded" && phase != "Failed" && phase != "Stopped") return;
    // Only the measured runs (x000, ...): retained history (h00000, ...)
    // is finished from the start.
    if (kube::object_name(e.object).rfind("x", 0) != 0) return;
    const auto now = Clock::now();
    std::lock_guard<std::mutex> l(mu_);
    if (done_.emplace(kube::object_name(e.object), std::make_pair(phase, now)).second) cv_.notify_all();
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::pair<std::string, Clock::time_point>> done_;
  WatchLoop loop_;
};

void printLine(const std::string& s) { std::cout << s << std::endl; }

// What one measured run (the ceiling's or the operator's) gave.
struct RunFigures {
  Summary transition;  // pod Succeeded written -> next Job ADDED
  Summary firstJob;    // run created -> S0 Job ADDED
  Summary service;     // the harness: Job ADDED -> its pod Succeeded written
  // Full-cluster mode: where a step's time goes outside the operator.
  Summary jobToPod, podToScheduled, scheduledToRunning, runningToSucceeded;
  int steps = 0;       // pods the harness completed
  double seconds = 0;  // first create -> last run done
  bool complete = false;
  int succeeded = 0;
  double throughput() const { return seconds > 0 ? steps / seconds : 0.0; }
  // The operator's (Sluice runs only; 0 when unavailable).
  double cpuMsPerStep = 0;          // all of its CPU time / steps
  double runCpuMsPerStep = 0;       // only from caches synced to the end / steps
  double startupCpuSeconds = 0;     // spawn -> caches synced (listing, first reconciles)
  long peakRssKib = 0;
  long syncedRssKib = 0;  // once its caches synced, before the runs start
  // Where the rest of the machine's CPU went during the run, per step: the
  // API server, etcd, and this process (the harness; for the ceiling also
  // the reference controller). 0 when unavailable.
  double apiserverMsPerStep = 0, etcdMsPerStep = 0, benchMsPerStep = 0;
  // The operator's API requests per step, by apiserver_request_total row
  // (WATCH left out); empty when the metric was unavailable.
  std::map<std::string, double> requestsPerStep;
};

void fillClusterCpu(RunFigures& f, const ClusterCpu& before, const ClusterCpu& after) {
  if (f.steps <= 0) return;
  auto perStep = [&](double b, double a) { return b >= 0 && a >= b ? (a - b) * 1000.0 / f.steps : 0.0; };
  f.apiserverMsPerStep = perStep(before.apiserver, after.apiserver);
  f.etcdMsPerStep = perStep(before.etcd, after.etcd);
  f.benchMsPerStep = perStep(before.bench, after.bench);
}

using StepTimeMap = std::map<std::pair<std::string, std::string>, StepTimes>;

void fillLatencies(RunFigures& f, const StepTimeMap& times, const std::map<std::string, Clock::time_point>& createdAt,
                   int steps, bool printTransitions) {
  std::vector<double> transition, firstJob, service;
  for (const auto& [key, t] : times) {
    if (createdAt.count(key.first) && t.has_job && t.has_pod) service.push_back(ms(t.pod_succeeded - t.job_added));
  }
  for (const auto& [name, created] : createdAt) {
    auto s0 = times.find({name, "S0"});
    if (s0 != times.end() && s0->second.has_job) firstJob.push_back(ms(s0->second.job_added - created));
    for (int i = 1; i < steps; ++i) {
      auto up = times.find({name, "S" + std::to_string(i - 1)});
      auto down = times.find({name, "S" + std::to_string(i)});
      if (up == times.end() || down == times.end() || !up->second.has_pod || !down->second.has_job) continue;
      transition.push_back(ms(down->second.job_added - up->second.pod_succeeded));
      if (printTransitions) std::printf("  transition %s S%d -> S%d: %.2f ms\n", name.c_str(), i - 1, i, transition.back());
    }
  }
  f.transition = summarize(transition);
  f.firstJob = summarize(firstJob);
  f.service = summarize(service);
  std::vector<double> jobToPod, podToScheduled, scheduledToRunning, runningToSucceeded;
  for (const auto& [key, t] : times) {
    if (!createdAt.count(key.first)) continue;
    if (t.has_job && t.has_pod_added) jobToPod.push_back(ms(t.pod_added - t.job_added));
    if (t.has_pod_added && t.has_pod_scheduled) podToScheduled.push_back(ms(t.pod_scheduled - t.pod_added));
    if (t.has_pod_scheduled && t.has_pod_running) scheduledToRunning.push_back(ms(t.pod_running - t.pod_scheduled));
    if (t.has_pod_running && t.has_pod) runningToSucceeded.push_back(ms(t.pod_succeeded - t.pod_running));
  }
  f.jobToPod = summarize(jobToPod);
  f.podToScheduled = summarize(podToScheduled);
  f.scheduledToRunning = summarize(scheduledToRunning);
  f.runningToSucceeded = summarize(runningToSucceeded);
}

void printRun(const std::string& who, const RunFigures& f) {
  printLine(who + " step transition (pod Succeeded written -> next Job ADDED): " + format(f.transition));
  printLine(who + " run created -> S0 Job ADDED:                         " + format(f.firstJob));
  printLine(who + " harness service (Job ADDED -> its pod Succeeded written):  " + format(f.service));
  if (f.jobToPod.count) {
    printLine(who + "   of which Job ADDED -> pod ADDED (Job controller):     " + format(f.jobToPod));
    printLine(who + "   pod ADDED -> bound to a node (scheduler):             " + format(f.podToScheduled));
    printLine(who + "   bound -> Running (kwok):                              " + format(f.scheduledToRunning));
    printLine(who + "   Running -> Succeeded written (harness):               " + format(f.runningToSucceeded));
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s throughput: %.1f steps/s (%d steps in %.2f s, first create -> last run done)%s",
                who.c_str(), f.throughput(), f.steps, f.seconds, f.complete ? "" : " INCOMPLETE");
  printLine(buf);
  if (f.apiserverMsPerStep > 0) {
    std::snprintf(buf, sizeof buf, "%s CPU per step elsewhere: kube-apiserver %.2f ms, etcd %.2f ms, harness%s %.2f ms",
                  who.c_str(), f.apiserverMsPerStep, f.etcdMsPerStep, who == "ceiling" ? " + reference controller" : "",
                  f.benchMsPerStep);
    printLine(buf);
  }
}

// Creates `names` at once from `threads` threads; returns when each create was sent.
std::map<std::string, Clock::time_point> createAll(const std::vector<std::string>& names, int threads,
                                                   const std::function<void(const std::string&)>& create) {
  std::map<std::string, Clock::time_point> createdAt;
  std::mutex mu;
  std::atomic<size_t> next{0};
  std::vector<std::thread> creators;
  for (int t = 0; t < threads; ++t) {
    creators.emplace_back([&] {
      for (size_t i = next++; i < names.size(); i = next++) {
        const auto t0 = Clock::now();
        create(names[i]);
        std::lock_guard<std::mutex> l(mu);
        createdAt[names[i]] = t0;
      }
    });
  }
  for (auto& t : creators) t.join();
  return createdAt;
}

std::vector<std::string> runNames(const std::string& prefix, int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%s%03d", prefix.c_str(), i);
    names.push_back(name);
  }
  return names;
}

// A fresh namespace per measured run, so no run sees another's objects
// (there is no namespace controller on this tier to empty a deleted one).
bool makeNamespace(const std::shared_ptr<kube::Client>& client, const std::string& ns) {
  value n;
  n["apiVersion"] = value::string("v1");
  n["kind"] = value::string("Namespace");
  n["metadata"]["name"] = value::string(ns);
  auto r = client->create(kube::resources::namespaces(), "", n);
  if (!r.ok()) {
    std::cerr << "namespace " << ns << ": " << r.error().to_string() << "\n";
    return false;
  }
  // No controller-manager on this tier: make the ServiceAccounts pods need.
  for (const char* sa : {"default", "pipeline-steps"}) {
    value s;
    s["apiVersion"] = value::string("v1");
    s["kind"] = value::string("ServiceAccount");
    s["metadata"]["name"] = value::string(sa);
    (void)client->create({"", "v1", "serviceaccounts", true}, ns, s);
  }
  return true;
}

// The ceiling: ReferenceController + the same harness, in its own namespace.
RunFigures runCeiling(const std::shared_ptr<kube::Client>& client, const std::string& ns, const Options& opt,
                      int workers, Clock::time_point deadline) {
  RunFigures f;
  StepHarness harness(client, ns, opt.harness_threads, opt.full_cluster);
  harness.start();
  ReferenceController ref(client, ns, opt.steps, workers);
  ref.start();
  const auto names = runNames("c", opt.executions);
  const ClusterCpu cpuBefore = readClusterCpu();
  const auto runStart = Clock::now();
  const auto createdAt = createAll(names, opt.harness_threads, [&](const std::string& name) {
    std::string error;
    if (!ref.startRun(name, &error)) printLine("ceiling: create " + name + ": " + error);
  });
  f.complete = ref.waitDone(names.size(), deadline);
  const ClusterCpu cpuAfter = readClusterCpu();
  harness.stop();
  ref.stop();
  Clock::time_point runEnd = runStart;
  for (const auto& [name, at] : ref.done()) runEnd = std::max(runEnd, at);
  if (!f.complete) runEnd = Clock::now();
  f.succeeded = static_cast<int>(ref.done().size());
  f.steps = harness.podsSucceeded();
  f.seconds = ms(runEnd - runStart) / 1000.0;
  fillLatencies(f, harness.times(), createdAt, opt.steps, opt.print_transitions);
  fillClusterCpu(f, cpuBefore, cpuAfter);
  if (ref.failures() > 0 || harness.failures() > 0) {
    printLine("ceiling: failures: controller " + std::to_string(ref.failures()) + " (" + ref.lastError() +
              "), harness " + std::to_string(harness.failures()) + " (" + harness.lastError() + ")");
    f.complete = false;
  }
  return f;
}

// sluice-operator on a fresh namespace: spawn, a Pipeline, the executions.
RunFigures runSluice(const std::shared_ptr<kube::Client>& client, const std::string& ns, const Options& opt,
                     const std::string& kubeconfig, const std::string& kubectl, Clock::time_point deadline,
                     const std::function<bool()>& beforeOperator = nullptr) {
  RunFigures f;
  // History goes in before the operator starts, so that it loads it at
  // startup as it would on a namespace that has been in use for months.
  if (beforeOperator && !beforeOperator()) return f;
  const auto started = Clock::now();
  std::map<std::string, long> mine;  // harness requests outside StepHarness
  std::string scrapeError;
  const RequestCounts before = scrapeRequestTotals(kubectl, kubeconfig, &scrapeError);
  mine["GET /metrics"] += 1;  // the scrape above shows up in the one after

  StepHarness harness(client, ns, opt.harness_threads, opt.full_cluster);
  harness.start();
  ExecutionWatch execs(client, ns);
  execs.start();

  const int port = freeLoopbackPort();
  const std::string log = "/tmp/" + ns + "-operator.log";
  std::vector<std::string> opArgs = {opt.operator_bin, "--kubeconfig", kubeconfig, "--namespace", ns,
                                     "--metrics-bind-address", "127.0.0.1:" + std::to_string(port),
                                     "--health-probe-bind-address", "0", "--runner-image",
                                     "registry.example/sluice-runner:bench", "--kube-api-qps", "0",
                                     "--kube-api-burst", "10000", "--log-level", "error"};
  opArgs.insert(opArgs.end(), opt.operator_args.begin(), opt.operator_args.end());
  if (opt.operator_workers > 0) {
    opArgs.push_back("--workers");
    opArgs.push_back(std::to_string(opt.operator_workers));
  }
  testing::Process op(opArgs, log);
  printLine("sluice  operator pid " + std::to_string(op.pid()) + ", workers " +
            (opt.operator_workers > 0 ? std::to_string(opt.operator_workers) : std::string("default")) +
            ", log " + log);

  value pipeline = linearPipeline("linear10", opt.steps, opt.cached);
  auto pr = client->create(kPipelines, ns, pipeline);
  mine["POST pipelines"] += 1;
  if (!pr.ok()) {
    printLine("sluice  pipeline: " + pr.error().to_string());
    return f;
  }
  // The operator is up and its caches synced once it has judged the Pipeline.
  bool ready = false;
  while (!ready && Clock::now() < deadline && op.running()) {
    auto g = client->get(kPipelines, ns, "linear10");
    mine["GET pipelines"] += 1;
    ready = g.ok() && g.value().has_field("status") && g.value().at("status").has_field("conditions");
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  printLine("sluice  operator startup (spawn -> Pipeline judged): " +
            std::to_string(static_cast<int>(ms(Clock::now() - started))) + " ms");
  if (!ready) {
    printLine("sluice  operator never reported the Pipeline's Ready condition");
    return f;
  }
  {
    std::this_thread::sleep_for(std::chrono::seconds(2));  // the startup's garbage returned, reconciles done
    const ProcUsage synced = readProcUsage(op.pid());
    if (synced.ok) {
      f.syncedRssKib = synced.rss_kib;
      f.startupCpuSeconds = synced.user_seconds + synced.system_seconds;
    }
    char line[160];
    std::snprintf(line, sizeof line, "sluice  operator once synced: RSS %.1f MiB, CPU so far %.2f s",
                  f.syncedRssKib / 1024.0, f.startupCpuSeconds);
    printLine(line);
  }

  const auto names = runNames("x", opt.executions);
  std::mutex mineMu;
  const ClusterCpu cpuBefore = readClusterCpu();
  const auto runStart = Clock::now();
  const auto createdAt = createAll(names, opt.harness_threads, [&](const std::string& name) {
    auto r = client->create(kExecutions, ns, benchExecution(ns, name, opt.cached));
    std::lock_guard<std::mutex> l(mineMu);
    mine["POST pipelineexecutions"] += 1;
    if (!r.ok()) printLine("sluice  create " + name + ": " + r.error().to_string());
  });

  f.complete = execs.waitTerminal(names.size(), deadline, [&] { return op.running(); });
  const bool operatorAlive = op.running();
  const ProcUsage usage = readProcUsage(op.pid());  // before stopping it: the process must still exist
  const ClusterCpu cpuAfter = readClusterCpu();
  harness.stop();
  execs.stop();
  const auto done = execs.done();
  const RequestCounts after = scrapeRequestTotals(kubectl, kubeconfig, &scrapeError);
  int opExit = -1;
  if (operatorAlive) {
    op.signal(SIGTERM);
    opExit = op.wait(30000);
  }

  Clock::time_point runEnd = runStart;
  for (const auto& [name, pt] : done) {
    if (pt.first == "Succeeded") ++f.succeeded;
    runEnd = std::max(runEnd, pt.second);
  }
  if (!f.complete) runEnd = Clock::now();
  f.steps = harness.podsSucceeded();
  f.seconds = ms(runEnd - runStart) / 1000.0;
  fillLatencies(f, harness.times(), createdAt, opt.steps, opt.print_transitions);
  fillClusterCpu(f, cpuBefore, cpuAfter);
  if (f.succeeded != opt.executions || harness.failures() > 0) {
    printLine("sluice  " + std::to_string(f.succeeded) + "/" + std::to_string(opt.executions) +
              " Succeeded; harness failures " + std::to_string(harness.failures()) +
              (harness.lastError().empty() ? "" : ", last: " + harness.lastError()));
    f.complete = false;
  }

  // API requests: the metric has no user-agent label, so the operator's
  // share is the delta minus the harness's own tally (exact: no retries).
  char buf[512];
  if (!scrapeError.empty() || before.empty() || after.empty()) {
    printLine("sluice  api requests: unavailable (" + scrapeError + ")");
  } else {
    RequestCounts harnessTally = harness.requests();
    for (const auto& [k, v] : mine) harnessTally[k] += v;
    harnessTally["WATCH pipelineexecutions"] += execs.requests();
    const RequestCounts rest = minus(minus(after, before), harnessTally);
    const std::set<std::string> operatorResources = {"pipelines", "pipelineexecutions", "jobs", "pods", "events"};
    long opTotal = 0, otherTotal = 0;
    std::string breakdown;
    for (const auto& [k, v] : rest) {
      if (k.rfind("WATCH ", 0) == 0) continue;  // counted when they end: not comparable
      const std::string target = k.substr(k.find(' ') + 1);
      const std::string resource = target.substr(0, target.find('/'));
      if (operatorResources.count(resource)) {
        opTotal += v;
        if (f.steps > 0) f.requestsPerStep[k] = static_cast<double>(v) / f.steps;
        breakdown += "    " + k + " " + std::to_string(v) + "\n";
      } else {
        otherTotal += v;
      }
    }
    std::snprintf(buf, sizeof buf,
                  "sluice  api requests on its resources (apiserver_request_total delta minus the harness's own, "
                  "WATCH excluded): %ld = %.2f per step; everything else in the window: %ld",
                  opTotal, f.steps ? static_cast<double>(opTotal) / f.steps : 0.0, otherTotal);
    printLine(buf);
    if (opt.full_cluster) printLine("sluice  (full cluster: these include the Job controller's, scheduler's and kwok's requests)");
    std::cout << breakdown;
  }
  if (usage.ok) {
    f.cpuMsPerStep = f.steps ? 1000.0 * (usage.user_seconds + usage.system_seconds) / f.steps : 0.0;
    f.runCpuMsPerStep =
        f.steps ? 1000.0 * (usage.user_seconds + usage.system_seconds - f.startupCpuSeconds) / f.steps : 0.0;
    f.peakRssKib = usage.peak_rss_kib;
    std::snprintf(buf, sizeof buf,
                  "sluice  operator CPU: %.2f s (user %.2f + system %.2f) = %.2f ms per step; peak RSS %.1f MiB",
                  usage.user_seconds + usage.system_seconds, usage.user_seconds, usage.system_seconds,
                  f.steps ? 1000.0 * (usage.user_seconds + usage.system_seconds) / f.steps : 0.0,
                  usage.peak_rss_kib / 1024.0);
    printLine(buf);
  } else {
    printLine("sluice  operator CPU/RSS: unavailable (" + usage.error + ")");
  }
  printLine("sluice  operator exit on SIGTERM: " +
            (operatorAlive ? std::to_string(opExit) : std::string("had already exited")));
  return f;
}

// N finished executions h00000.. of linear10 in ns, each with `status` (a
// real finished execution's, copied): created, then their status written,
// from `threads` threads. Returns false when any write failed.
bool createHistory(const std::shared_ptr<kube::Client>& client, const std::string& ns, int n, const value& status,
                   int threads, bool cached) {
  std::atomic<int> next{0}, failed{0};
  std::mutex mu;
  std::string lastError;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        char name[32];
        std::snprintf(name, sizeof name, "h%05d", i);
        auto created = client->create(kExecutions, ns, benchExecution(ns, name, cached));
        if (created.ok()) {
          value withStatus = created.value();
          withStatus["status"] = status;
          auto written = client->update_status(kExecutions, ns, withStatus);
          if (written.ok()) continue;
          std::lock_guard<std::mutex> l(mu);
          lastError = written.error().to_string();
        } else {
          std::lock_guard<std::mutex> l(mu);
          lastError = created.error().to_string();
        }
        ++failed;
      }
    });
  }
  for (auto& w : workers) w.join();
  if (failed > 0) printLine("history: " + std::to_string(failed.load()) + " writes failed, last: " + lastError);
  return failed == 0;
}

// One line of the history table: the figures of a run with `retained`
// finished executions, and their ratios to the run without any.
void printHistoryRow(int round, int retained, const RunFigures& f, const RunFigures& base) {
  char buf[640];
  const double perRetainedKib =
      retained > 0 && f.syncedRssKib && base.syncedRssKib ? double(f.syncedRssKib - base.syncedRssKib) / retained : 0.0;
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::snprintf(buf, sizeof buf,
                "round %d: history %6d: CPU per step during the runs %.2f ms (%.2fx), startup CPU %.2f s; transition "
                "median %.1f ms (%.2fx), p99 %.1f ms (%.2fx); throughput %.1f steps/s (%.2fx); RSS synced %.1f MiB, "
                "peak %.1f MiB; per retained execution %.2f KiB",
                round, retained, f.runCpuMsPerStep, ratio(f.runCpuMsPerStep, base.runCpuMsPerStep),
                f.startupCpuSeconds, f.transition.median, ratio(f.transition.median, base.transition.median),
                f.transition.p99, ratio(f.transition.p99, base.transition.p99), f.throughput(),
                ratio(f.throughput(), base.throughput()), f.syncedRssKib / 1024.0, f.peakRssKib / 1024.0,
                perRetainedKib);
  printLine(buf);
}

// "median 0.52x (0.48-0.61 over 3 rounds)" of per-round ratios.
std::string ratioSpread(const std::vector<double>& ratios) {
  if (ratios.empty()) return "n/a";
  const Summary s = summarize(ratios);
  char buf[128];
  std::snprintf(buf, sizeof buf, "%.2fx (min %.2f, max %.2f over %zu rounds)", s.median, s.min, s.max, s.count);
  return buf;
}

// --request-costs: prices Sluice's requests of this round (measured alone in
// `costNs`, with the status x000 wrote in `sluiceNs`) and prints the bound
// they put on its throughput against this round's ceiling. Zeros when there
// is no bound.
RequestBounds printRequestCostBound(const std::shared_ptr<kube::Client>& client, const std::string& costNs,
                                    const std::string& sluiceNs, const Options& opt, const RunFigures& ceiling,
                                    const RunFigures& sluice, int round) {
  auto seed = client->get(kExecutions, sluiceNs, "x000");
  if (!seed.ok() || !seed.value().has_field("status")) {
    printLine("request costs: cannot read x000's status: " + (seed.ok() ? "none" : seed.error().to_string()));
    return {};
  }
  std::string error;
  const auto costs = measureRequestCosts(client, costNs, seed.value().at("status"), 6, 50, &error);
  if (!error.empty()) {
    printLine("request costs: " + error);
    return {};
  }
  char buf[512];
  for (const auto& [key, cost] : costs) {
    std::snprintf(buf, sizeof buf,
                  "round %d: one %-30s kube-apiserver %.2f ms (min %.2f, max %.2f), etcd %.2f ms (min %.2f, max "
                  "%.2f), the sending kube client %.2f ms (min %.2f, max %.2f) over %zu batches sent alone",
                  round, key.c_str(), cost.apiserverMs.median, cost.apiserverMs.min, cost.apiserverMs.max,
                  cost.etcdMs.median, cost.etcdMs.min, cost.etcdMs.max, cost.clientMs.median, cost.clientMs.min,
                  cost.clientMs.max, cost.apiserverMs.count);
    printLine(buf);
  }
  if (ceiling.apiserverMsPerStep <= 0 || sluice.apiserverMsPerStep <= 0 || sluice.requestsPerStep.empty()) {
    printLine("request costs: no bound (the ceiling's CPU or Sluice's request tally is unavailable)");
    return {};
  }
  // The bound holds only when the ceiling is CPU-bound: with cores to spare,
  // extra requests could cost it no throughput.
  const double ceilingCpu = ceiling.apiserverMsPerStep + ceiling.etcdMsPerStep + ceiling.benchMsPerStep;
  const double busy = ceilingCpu * ceiling.throughput() / 1000.0;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> unpriced;
  const RequestBounds bounds = boundsFor(sluice.requestsPerStep, opt.steps, costs, ceilingCpu, &unpriced);
  std::string skipped;
  for (const auto& k : unpriced) skipped += (skipped.empty() ? "" : ", ") + k;
  const double priced = extraCpuMsPerStep(sluice.requestsPerStep, costs, nullptr);
  const double excess = (sluice.apiserverMsPerStep + sluice.etcdMsPerStep) -
                        (ceiling.apiserverMsPerStep + ceiling.etcdMsPerStep);
  std::snprintf(buf, sizeof buf,
                "round %d: the ceiling's step costs %.2f ms of CPU (API server, etcd, harness, reference controller; "
                "%.2f of %u cores busy); Sluice's requests beyond one Job per step, priced alone: %.2f ms; measured "
                "excess of its API server + etcd CPU per step over the ceiling's: %.2f ms%s%s",
                round, ceilingCpu, busy, cores, priced, excess, skipped.empty() ? "" : "; not priced: ",
                skipped.c_str());
  printLine(buf);
  if (busy < 0.9 * cores) {
    printLine("round " + std::to_string(round) + ": no bound: the ceiling left CPU idle");
    return {};
  }
  std::snprintf(buf, sizeof buf,
                "round %d: bound on sluice / ceiling throughput for an operator that costs no more CPU than the "
                "reference controller: %.2fx with the requests Sluice sent (measured: %.2fx); hypothetically "
                "%.2fx writing status only at start and end, %.2fx with that and no step Events; %.2fx for one "
                "that sends only its Jobs and an Event per step transition",
                round, bounds.asSent, ceiling.throughput() > 0 ? sluice.throughput() / ceiling.throughput() : 0.0,
                bounds.startEndStatusOnly, bounds.withoutStepEvents, bounds.stepEventsOnly);
  printLine(buf);
  return bounds;
}

int run(const Options& opt) {
  const auto deadline = Clock::now() + std::chrono::seconds(opt.timeout_seconds);
  const std::string kubeconfig = env("SLUICE_TEST_KUBECONFIG");
  const std::string kubectl = env("SLUICE_TEST_KUBECTL");
  if (kubeconfig.empty() || kubectl.empty()) {
    std::cerr << "SLUICE_TEST_KUBECONFIG / SLUICE_TEST_KUBECTL are not set: start the cluster with "
                 "tests/cluster/up.sh and source its env file\n";
    return 2;
  }
  std::string out;
  if (testing::runCommand({kubectl, "--kubeconfig", kubeconfig, "apply", "--server-side", "--force-conflicts", "-f",
                           SLUICE_SOURCE_DIR "/crds"},
                          &out) != 0 ||
      testing::runCommand({kubectl, "--kubeconfig", kubeconfig, "wait", "--for=condition=Established",
                           "--timeout=60s", "crd/pipelines.sluice.dev", "crd/pipelineexecutions.sluice.dev"},
                          &out) != 0) {
    std::cerr << "applying the CRDs failed: " << out << "\n";
    return 2;
  }
  auto config = kube::load_kubeconfig(kubeconfig);
  if (!config.ok()) {
    std::cerr << "kubeconfig: " << config.error().to_string() << "\n";
    return 2;
  }
  kube::ClientOptions co;
  co.qps = 0;           // the harness must never be the bottleneck
  co.max_retries = 0;   // every call is exactly one request: the tally stays exact
  co.user_agent = "sluice-bench/0.1";
  auto made = kube::Client::create(std::move(config).value(), co);
  if (!made.ok()) {
    std::cerr << "client: " << made.error().to_string() << "\n";
    return 2;
  }
  auto client = made.value();

  const std::string base = "bench-" + randomSuffix();
  std::vector<std::string> namespaces;
  auto cleanup = [&] {
    if (opt.keep_namespace) return;
    // The integration tier runs no namespace controller: a deleted namespace
    // stays Terminating with everything in it, and a history run leaves
    // 10,000 executions behind that slow every later run on the cluster
    // (the API server's watch cache holds them all). Delete the contents.
    const kube::Resource contents[] = {kExecutions,           kPipelines,           kube::resources::jobs(),
                                       kube::resources::pods(), kube::resources::events(),
                                       kube::resources::config_maps()};
    for (const auto& ns : namespaces) {
      for (const auto& r : contents) (void)client->request(web::http::methods::DEL, r.collection_path(ns));
      (void)client->remove(kube::resources::namespaces(), "", ns);
    }
  };
  auto fresh = [&](const std::string& suffix) -> std::string {
    const std::string ns = base + "-" + suffix;
    if (!makeNamespace(client, ns)) return "";
    namespaces.push_back(ns);
    return ns;
  };
  const int ceilingWorkers = opt.ceiling_workers > 0 ? opt.ceiling_workers
                             : opt.operator_workers > 0 ? opt.operator_workers
                                                        : 4;  // the operator's default --workers
  printLine("bench_operator: namespaces " + base + "-*, " + std::to_string(opt.executions) + " runs x " +
            std::to_string(opt.steps) + "-step linear pipeline, " + std::to_string(opt.rounds) +
            " rounds of ceiling then Sluice, ceiling workers " + std::to_string(ceilingWorkers) + ", hard limit " +
            std::to_string(opt.timeout_seconds) + " s");

  // 1. The floor, before anything else runs.
  const std::string floorNs = fresh("floor");
  if (floorNs.empty()) return 2;
  FloorResult floor = measureFloor(client, floorNs, opt.floor_samples, 10);
  const Summary floorRt = summarize(floor.create_to_added_ms);
  printLine("floor   create->watch ADDED (ConfigMap): " + format(floorRt));
  printLine("floor   create call alone:               " + format(summarize(floor.create_call_ms)));
  if (!floor.error.empty()) printLine("floor   ERROR: " + floor.error);

  bool allComplete = floor.error.empty();
  // 2'. History: Sluice alone with 0, then more, finished executions kept.
  if (opt.request_costs && (!opt.history.empty() || opt.no_ceiling))
    printLine("note: --request-costs is measured only in rounds against the ceiling: ignored here");
  if (!opt.history.empty()) {
    std::map<int, std::vector<double>> cpuRatio, transitionRatio, perRetained;
    for (int round = 1; round <= opt.rounds && allComplete; ++round) {
      printLine("");
      printLine("-- history round " + std::to_string(round) + "/" + std::to_string(opt.rounds));
      RunFigures base;
      value status;
      for (int retained : opt.history) {
        const std::string ns = fresh("h" + std::to_string(retained) + "-" + std::to_string(round));
        if (ns.empty()) return 2;
        printLine("history " + std::to_string(retained) + ": namespace " + ns);
        const auto t0 = Clock::now();
        const RunFigures f = runSluice(client, ns, opt, kubeconfig, kubectl, deadline, [&] {
          if (retained == 0) return true;
          const bool made = createHistory(client, ns, retained, status, opt.harness_threads, opt.cached);
          printLine("history " + std::to_string(retained) + ": finished executions written in " +
                    std::to_string(static_cast<int>(ms(Clock::now() - t0))) + " ms");
          return made;
        });
        printRun("sluice ", f);
        allComplete = allComplete && f.complete;
        if (!f.complete) break;
        if (retained == 0) {
          base = f;
          // The finished execution every retained one copies: a real one.
          auto seed = client->get(kExecutions, ns, "x000");
          if (!seed.ok() || !seed.value().has_field("status")) {
            printLine("history: cannot read x000's status: " + (seed.ok() ? "none" : seed.error().to_string()));
            return 1;
          }
          status = seed.value().at("status");
          printLine("history: each retained execution is a copy of x000 (" +
                    std::to_string(seed.value().serialize().size()) + " bytes of JSON)");
        }
        printHistoryRow(round, retained, f, base);
        if (retained > 0 && base.runCpuMsPerStep > 0) {
          cpuRatio[retained].push_back(f.runCpuMsPerStep / base.runCpuMsPerStep);
          transitionRatio[retained].push_back(f.transition.median / base.transition.median);
          perRetained[retained].push_back(double(f.syncedRssKib - base.syncedRssKib) / retained);
        }
      }
    }
    printLine("");
    printLine("summary over rounds (each ratio against the 0-history run of the same round):");
    for (const auto& [retained, ratios] : cpuRatio) {
      const Summary kib = summarize(perRetained[retained]);
      char buf[256];
      std::snprintf(buf, sizeof buf, "  history %6d: CPU per step during the runs ", retained);
      std::string line = buf + ratioSpread(ratios) + "; transition median " + ratioSpread(transitionRatio[retained]);
      std::snprintf(buf, sizeof buf, "; RSS per retained execution median %.2f KiB (min %.2f, max %.2f)", kib.median,
                    kib.min, kib.max);
      printLine(line + buf);
    }
    cleanup();
    if (!allComplete) {
      printLine("INCOMPLETE: a run did not finish; figures above are partial");
      return 1;
    }
    return 0;
  }

  // 2. Rounds: the ceiling, then the operator, each alone on the cluster.
  std::vector<double> throughputRatio, transitionRatio, transitionP99Ratio, sluiceVsFloor;
  std::vector<double> boundAsSent, boundStartEnd, boundNoStepEvents, boundStepEventsOnly;
  for (int round = 1; round <= opt.rounds && allComplete; ++round) {
    printLine("");
    printLine("-- round " + std::to_string(round) + "/" + std::to_string(opt.rounds));
    RunFigures ceiling;
    if (!opt.no_ceiling) {
      const std::string ns = fresh("c" + std::to_string(round));
      if (ns.empty()) break;
      ceiling = runCeiling(client, ns, opt, ceilingWorkers, deadline);
      printRun("ceiling", ceiling);
      allComplete = allComplete && ceiling.complete;
    }
    const std::string ns = fresh("s" + std::to_string(round));
    if (ns.empty()) break;
    const RunFigures sluice = runSluice(client, ns, opt, kubeconfig, kubectl, deadline);
    printRun("sluice ", sluice);
    allComplete = allComplete && sluice.complete;
    char buf[512];
    if (!opt.no_ceiling && ceiling.transition.count && sluice.transition.count && ceiling.throughput() > 0) {
      throughputRatio.push_back(sluice.throughput() / ceiling.throughput());
      transitionRatio.push_back(sluice.transition.median / ceiling.transition.median);
      transitionP99Ratio.push_back(sluice.transition.p99 / ceiling.transition.p99);
      std::snprintf(buf, sizeof buf,
                    "round %d: sluice / ceiling: throughput %.1f / %.1f steps/s = %.2fx; transition median %.2f / "
                    "%.2f ms = %.2fx; p99 %.2f / %.2f ms = %.2fx",
                    round, sluice.throughput(), ceiling.throughput(), throughputRatio.back(),
                    sluice.transition.median, ceiling.transition.median, transitionRatio.back(),
                    sluice.transition.p99, ceiling.transition.p99, transitionP99Ratio.back());
      printLine(buf);
      if (ceiling.apiserverMsPerStep > 0 && sluice.apiserverMsPerStep > 0) {
        std::snprintf(buf, sizeof buf,
                      "round %d: CPU per step, sluice / ceiling: kube-apiserver %.2f / %.2f ms = %.2fx; etcd %.2f / "
                      "%.2f ms = %.2fx; sluice-operator %.2f ms",
                      round, sluice.apiserverMsPerStep, ceiling.apiserverMsPerStep,
                      sluice.apiserverMsPerStep / ceiling.apiserverMsPerStep, sluice.etcdMsPerStep,
                      ceiling.etcdMsPerStep, ceiling.etcdMsPerStep > 0 ? sluice.etcdMsPerStep / ceiling.etcdMsPerStep : 0.0,
                      sluice.cpuMsPerStep);
        printLine(buf);
      }
    }
    if (opt.request_costs && !opt.no_ceiling && ceiling.complete && sluice.complete) {
      const std::string costNs = fresh("r" + std::to_string(round));
      if (costNs.empty()) break;
      const RequestBounds b = printRequestCostBound(client, costNs, ns, opt, ceiling, sluice, round);
      if (b.asSent > 0) {
        boundAsSent.push_back(b.asSent);
        boundStartEnd.push_back(b.startEndStatusOnly);
        boundNoStepEvents.push_back(b.withoutStepEvents);
        boundStepEventsOnly.push_back(b.stepEventsOnly);
      }
    }
    if (floorRt.count && sluice.transition.count) {
      sluiceVsFloor.push_back(sluice.transition.median / floorRt.median);
      std::snprintf(buf, sizeof buf, "round %d: sluice transition median / floor median = %.2f / %.2f ms = %.1fx",
                    round, sluice.transition.median, floorRt.median, sluiceVsFloor.back());
      printLine(buf);
    }
  }

  printLine("");
  printLine("summary over rounds (ratios measured within each round):");
  if (!opt.no_ceiling) {
    printLine("  throughput, sluice / ceiling:        " + ratioSpread(throughputRatio));
    printLine("  transition median, sluice / ceiling: " + ratioSpread(transitionRatio));
    printLine("  transition p99, sluice / ceiling:    " + ratioSpread(transitionP99Ratio));
    if (!boundAsSent.empty()) {
      printLine("  throughput bound from request costs priced alone (operator as cheap as the reference controller):");
      printLine("    with the requests Sluice sent:        " + ratioSpread(boundAsSent));
      printLine("    status only at start and end:         " + ratioSpread(boundStartEnd));
      printLine("    that, and no step Events:             " + ratioSpread(boundNoStepEvents));
      printLine("    only Jobs + an Event per transition:  " + ratioSpread(boundStepEventsOnly));
    }
  }
  printLine("  transition median, sluice / floor:   " + ratioSpread(sluiceVsFloor));
  cleanup();
  if (!allComplete) {
    printLine(Clock::now() >= deadline ? "INCOMPLETE: hard time limit reached; figures above are partial"
                                       : "INCOMPLETE: a run did not finish; figures above are partial");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) {
  sluice::bench::Options o;
  if (!sluice::bench::parseArgs(argc, argv, o)) return 2;
  return sluice::bench::run(o);
}

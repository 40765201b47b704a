// bench_operator: how fast sluice-operator moves a linear pipeline along,
// against the real apiserver of tests/cluster/up.sh, next to the floor of a
// bare write-then-watch round trip on the same apiserver. Not a test: it
// prints figures. See README.md.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
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
  bool keep_namespace = false;
  std::string operator_bin = SLUICE_OPERATOR_BIN;  // --operator: compare another build
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
    else if (a == "--keep-namespace") o.keep_namespace = true;
    else if (a == "--operator" && i + 1 < argc) o.operator_bin = argv[++i];
    else ok = false;
    if (!ok) {
      std::cerr << "usage: bench_operator [--executions N] [--steps N] [--floor-samples N] [--timeout-seconds S]\n"
                   "                      [--harness-threads N] [--operator-workers N] [--keep-namespace]\n"
                   "                      [--operator PATH]\n";
      return false;
    }
  }
  return true;
}

value linearPipeline(const std::string& name, int steps) {
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
    list.push_back(s);
  }
  p["spec"]["steps"] = value::array(list);
  return p;
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

int run(const Options& opt) {
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::seconds(opt.timeout_seconds);
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

  const std::string ns = "bench-" + randomSuffix();
  {
    value n;
    n["apiVersion"] = value::string("v1");
    n["kind"] = value::string("Namespace");
    n["metadata"]["name"] = value::string(ns);
    auto r = client->create(kube::resources::namespaces(), "", n);
    if (!r.ok()) {
      std::cerr << "namespace: " << r.error().to_string() << "\n";
      return 2;
    }
    // No controller-manager on this tier: make the ServiceAccounts pods need.
    for (const char* sa : {"default", "pipeline-steps"}) {
      value s;
      s["apiVersion"] = value::string("v1");
      s["kind"] = value::string("ServiceAccount");
      s["metadata"]["name"] = value::string(sa);
      (void)client->create({"", "v1", "serviceaccounts", true}, ns, s);
    }
  }
  auto cleanup = [&] {
    if (!opt.keep_namespace) (void)client->remove(kube::resources::namespaces(), "", ns);
  };
  printLine("bench_operator: namespace " + ns + ", " + std::to_string(opt.executions) + " executions x " +
            std::to_string(opt.steps) + "-step linear pipeline, hard limit " + std::to_string(opt.timeout_seconds) +
            " s");

  // 1. The floor, before the operator exists.
  FloorResult floor = measureFloor(client, ns, opt.floor_samples, 10);
  const Summary floorRt = summarize(floor.create_to_added_ms);
  const Summary floorCreate = summarize(floor.create_call_ms);
  printLine("floor  create->watch ADDED (ConfigMap): " + format(floorRt));
  printLine("floor  create call alone:               " + format(floorCreate));
  if (!floor.error.empty()) printLine("floor  ERROR: " + floor.error);

  // 2. The operator run.
  std::map<std::string, long> mine;  // harness requests outside StepHarness
  std::string scrapeError;
  const RequestCounts before = scrapeRequestTotals(kubectl, kubeconfig, &scrapeError);
  mine["GET /metrics"] += 1;  // the scrape above shows up in the one after

  StepHarness harness(client, ns, opt.harness_threads);
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
  if (opt.operator_workers > 0) {
    opArgs.push_back("--workers");
    opArgs.push_back(std::to_string(opt.operator_workers));
  }
  testing::Process op(opArgs, log);
  printLine("operator pid " + std::to_string(op.pid()) + ", workers " +
            (opt.operator_workers > 0 ? std::to_string(opt.operator_workers) : std::string("default")) +
            ", metrics 127.0.0.1:" + std::to_string(port) + ", log " + log);

  value pipeline = linearPipeline("linear10", opt.steps);
  auto pr = client->create(kPipelines, ns, pipeline);
  mine["POST pipelines"] += 1;
  if (!pr.ok()) {
    std::cerr << "pipeline: " << pr.error().to_string() << "\n";
    cleanup();
    return 2;
  }
  // The operator is up and its caches synced once it has judged the Pipeline.
  bool ready = false;
  while (!ready && Clock::now() < deadline && op.running()) {
    auto g = client->get(kPipelines, ns, "linear10");
    mine["GET pipelines"] += 1;
    ready = g.ok() && g.value().has_field("status") && g.value().at("status").has_field("conditions");
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double startupMs = ms(Clock::now() - started);
  if (!ready) printLine("operator never reported the Pipeline's Ready condition");

  // All executions are created at once, from as many threads as the harness
  // has, so they really run concurrently rather than staggered by create latency.
  std::vector<std::string> names;
  for (int i = 0; i < opt.executions && ready; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "x%03d", i);
    names.push_back(name);
  }
  std::map<std::string, Clock::time_point> createdAt;
  std::mutex createMu;
  std::atomic<size_t> nextExec{0};
  const auto runStart = Clock::now();
  {
    std::vector<std::thread> creators;
    for (int t = 0; t < opt.harness_threads; ++t) {
      creators.emplace_back([&] {
        for (size_t i = nextExec++; i < names.size(); i = nextExec++) {
          value e;
          e["apiVersion"] = value::string("sluice.dev/v1alpha1");
          e["kind"] = value::string("PipelineExecution");
          e["metadata"]["name"] = value::string(names[i]);
          e["spec"]["pipelineRef"]["name"] = value::string("linear10");
          const auto t0 = Clock::now();
          auto r = client->create(kExecutions, ns, e);
          std::lock_guard<std::mutex> l(createMu);
          createdAt[names[i]] = t0;
          mine["POST pipelineexecutions"] += 1;
          if (!r.ok()) printLine("create " + names[i] + ": " + r.error().to_string());
        }
      });
    }
    for (auto& t : creators) t.join();
  }
  const double createAllMs = ms(Clock::now() - runStart);

  const bool allDone =
      ready && execs.waitTerminal(static_cast<size_t>(opt.executions), deadline, [&] { return op.running(); });
  const bool operatorAlive = op.running();
  const ProcUsage usage = readProcUsage(op.pid());  // before stopping it: the process must still exist
  harness.stop();
  execs.stop();
  const auto done = execs.done();
  const RequestCounts after = scrapeRequestTotals(kubectl, kubeconfig, &scrapeError);
  int opExit = -1;
  if (operatorAlive) {
    op.signal(SIGTERM);
    opExit = op.wait(30000);
  }

  // 3. Figures.
  Clock::time_point runEnd = runStart;
  int succeeded = 0;
  for (const auto& [name, pt] : done) {
    if (pt.first == "Succeeded") ++succeeded;
    if (pt.second > runEnd) runEnd = pt.second;
  }
  if (!allDone) runEnd = Clock::now();
  const auto times = harness.times();
  std::vector<double> transition, firstJob, harnessService;
  for (const auto& [key, t] : times) {
    if (t.has_job && t.has_pod) harnessService.push_back(ms(t.pod_succeeded - t.job_added));
  }
  for (const auto& [name, created] : createdAt) {
    auto s0 = times.find({name, "S0"});
    if (s0 != times.end() && s0->second.has_job) firstJob.push_back(ms(s0->second.job_added - created));
    for (int i = 1; i < opt.steps; ++i) {
      auto up = times.find({name, "S" + std::to_string(i - 1)});
      auto down = times.find({name, "S" + std::to_string(i)});
      if (up == times.end() || down == times.end() || !up->second.has_pod || !down->second.has_job) continue;
      transition.push_back(ms(down->second.job_added - up->second.pod_succeeded));
    }
  }
  const Summary tr = summarize(transition);
  const Summary fj = summarize(firstJob);
  const Summary hs = summarize(harnessService);
  const int steps = harness.podsSucceeded();
  const double runSeconds = ms(runEnd - runStart) / 1000.0;

  printLine("");
  printLine("operator startup (spawn -> Pipeline judged): " + std::to_string(static_cast<int>(startupMs)) + " ms");
  printLine("executions: " + std::to_string(done.size()) + "/" + std::to_string(opt.executions) + " terminal, " +
            std::to_string(succeeded) + " Succeeded; " + std::to_string(opt.executions) + " created in " +
            std::to_string(static_cast<int>(createAllMs)) + " ms");
  printLine("steps completed by the harness: " + std::to_string(steps) + " (harness failures " +
            std::to_string(harness.failures()) + (harness.lastError().empty() ? "" : ", last: " + harness.lastError()) +
            ")");
  printLine("step transition (pod Succeeded written -> next Job ADDED): " + format(tr));
  printLine("execution created -> S0 Job ADDED:                         " + format(fj));
  printLine("harness service (Job ADDED -> its pod Succeeded written):  " + format(hs));
  char buf[512];
  std::snprintf(buf, sizeof buf, "throughput: %.1f steps/s (%d steps in %.2f s, first create -> last execution terminal)",
                runSeconds > 0 ? steps / runSeconds : 0.0, steps, runSeconds);
  printLine(buf);
  if (floorRt.count && tr.count) {
    std::snprintf(buf, sizeof buf,
                  "vs floor: transition median / floor median = %.2f / %.2f ms = %.1fx; p99 / p99 = %.2f / %.2f ms = %.1fx",
                  tr.median, floorRt.median, tr.median / floorRt.median, tr.p99, floorRt.p99, tr.p99 / floorRt.p99);
    printLine(buf);
  }

  // API requests: the metric has no user-agent label, so the operator's
  // share is the delta minus the harness's own tally (exact: no retries).
  if (!scrapeError.empty() || before.empty() || after.empty()) {
    printLine("api requests: unavailable (" + scrapeError + ")");
  } else {
    RequestCounts harnessTally = harness.requests();
    for (const auto& [k, v] : mine) harnessTally[k] += v;
    harnessTally["WATCH pipelineexecutions"] += execs.requests();
    const RequestCounts delta = minus(after, before);
    const RequestCounts rest = minus(delta, harnessTally);
    const std::set<std::string> operatorResources = {"pipelines", "pipelineexecutions", "jobs", "pods", "events"};
    long opTotal = 0, otherTotal = 0, harnessTotal = 0;
    std::string breakdown;
    for (const auto& [k, v] : rest) {
      if (k.rfind("WATCH ", 0) == 0) continue;  // counted when they end: not comparable
      const std::string target = k.substr(k.find(' ') + 1);
      const std::string resource = target.substr(0, target.find('/'));
      if (operatorResources.count(resource)) {
        opTotal += v;
        breakdown += "  " + k + " " + std::to_string(v) + "\n";
      } else {
        otherTotal += v;
      }
    }
    for (const auto& [k, v] : harnessTally) {
      if (k.rfind("WATCH ", 0) != 0) harnessTotal += v;
    }
    std::snprintf(buf, sizeof buf,
                  "api requests (apiserver_request_total has no user-agent label: delta minus the harness's own "
                  "%ld requests, WATCH excluded):\n"
                  "  operator, on its resources (pipelines, executions, jobs, pods, events): %ld = %.2f per step\n"
                  "  everything else in the window (apiserver self-traffic etc.): %ld",
                  harnessTotal, opTotal, steps ? static_cast<double>(opTotal) / steps : 0.0, otherTotal);
    printLine(buf);
    std::cout << breakdown;
    std::snprintf(buf, sizeof buf, "  harness for comparison: %ld = %.2f per step", harnessTotal,
                  steps ? static_cast<double>(harnessTotal) / steps : 0.0);
    printLine(buf);
  }
  if (usage.ok) {
    std::snprintf(buf, sizeof buf,
                  "operator CPU: %.2f s (user %.2f + system %.2f) = %.2f ms per step; peak RSS (VmHWM) %.1f MiB, RSS "
                  "at end %.1f MiB",
                  usage.user_seconds + usage.system_seconds, usage.user_seconds, usage.system_seconds,
                  steps ? 1000.0 * (usage.user_seconds + usage.system_seconds) / steps : 0.0,
                  usage.peak_rss_kib / 1024.0, usage.rss_kib / 1024.0);
    printLine(buf);
  } else {
    printLine("operator CPU/RSS: unavailable (" + usage.error + ")");
  }
  printLine("operator exit on SIGTERM: " + (operatorAlive ? std::to_string(opExit) : std::string("had already exited")));
  cleanup();

  if (!allDone) {
    printLine(Clock::now() >= deadline ? "INCOMPLETE: hard time limit reached; figures above are partial"
                                       : "INCOMPLETE: operator exited or never became ready; figures above are partial");
    return 1;
  }
  if (succeeded != opt.executions || !floor.error.empty() || harness.failures() > 0) return 1;
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) {
  sluice::bench::Options o;
  if (!sluice::bench::parseArgs(argc, argv, o)) return 2;
  return sluice::bench::run(o);
}

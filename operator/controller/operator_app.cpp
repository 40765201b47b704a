#include "operator_app.h"

#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "common/log.h"
#include "controller/json_access.h"
#include "controller/controller_metrics.h"
#include "controller/event_recorder.h"
#include "controller/execution_reconciler.h"
#include "controller/execution_store.h"
#include "controller/http_endpoints.h"
#include "controller/pipeline_reconciler.h"
#include "controller/plan_peers.h"
#include "controller/sluice_resources.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/informer.h"
#include "kube/leader_election.h"
#include "kube/workers.h"
#include "kube/workqueue.h"

namespace sluice::controller {

using web::json::value;

namespace {


std::string keyOf(const value& obj) {
  return stringAt(obj, {"metadata", "namespace"}) + "/" + stringAt(obj, {"metadata", "name"});
}

// The name of obj's controlling owner of the given kind, or "".
std::string ownerName(const value& obj, const std::string& kind) {
  if (!obj.is_object() || !obj.has_field("metadata") || !obj.at("metadata").has_field("ownerReferences")) return "";
  const value& refs = obj.at("metadata").at("ownerReferences");
  if (!refs.is_array()) return "";
  for (const auto& r : refs.as_array()) {
    if (stringAt(r, {"kind"}) == kind) return stringAt(r, {"name"});
  }
  return "";
}

pipeline::UnixSeconds wallNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

kube::ProcessResult toProcessResult(const ReconcileOutcome& o) {
  if (o.retry) return kube::ProcessResult::retry(o.error);
  if (o.requeueAfter) return kube::ProcessResult::requeue(*o.requeueAfter);
  return kube::ProcessResult::done();
}

std::string podNamespace() {
  std::ifstream f("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
  std::string ns;
  std::getline(f, ns);
  return ns;
}

std::string identity() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  std::random_device rd;
  return std::string(host) + "_" + std::to_string(rd() % 1000000);
}

}  // namespace

int runOperator(const OperatorFlags& flags, const std::function<void()>& waitForStop) {
  log::Level level = log::Level::Info;
  log::parseLevel(flags.logLevel, level);
  log::setLevel(level);

  auto config = flags.kubeconfig.empty() ? kube::default_config("") : kube::load_kubeconfig(flags.kubeconfig, flags.context);
  if (!config.ok()) {
    log::error("cannot load Kubernetes configuration", {{"error", config.error().to_string()}});
    return 2;
  }
  kube::ClientOptions copts;
  copts.qps = flags.kubeApiQps;
  copts.burst = flags.kubeApiBurst;
  copts.user_agent = "sluice-operator/0.1";
  auto clientResult = kube::Client::create(config.value(), copts);
  if (!clientResult.ok()) {
    log::error("cannot create Kubernetes client", {{"error", clientResult.error().to_string()}});
    return 2;
  }
  std::shared_ptr<kube::Client> client = clientResult.value();
  // Events get a client of their own: a transition's Event is posted before
  // its status write, so a throttled or slow Events API (EventRateLimit
  // answers 429 with a Retry-After) must cost a reconcile one short attempt,
  // not the main client's retries and waits.
  kube::ClientOptions evopts = copts;
  evopts.user_agent = "sluice-operator/0.1 events";
  evopts.max_retries = 1;
  evopts.request_timeout = std::chrono::seconds(5);
  evopts.max_retry_after = std::chrono::seconds(1);
  auto eventsClient = kube::Client::create(config.value(), evopts);
  if (!eventsClient.ok()) {
    log::error("cannot create Kubernetes client", {{"error", eventsClient.error().to_string()}});
    return 2;
  }
  // Lease renewals get a client of their own, as in controller-runtime: its
  // own rate limiter, so a burst of reconcile writes never delays a renewal;
  // no retries (the elector retries every retry period and must check its
  // deadline in between); and a request timeout such that a renewal (a get
  // and an update) always ends before the 10 s renew deadline, so a hung
  // request cannot keep a leader running past its lease.
  std::shared_ptr<kube::Client> electionClient;
  if (flags.leaderElect) {
    kube::ClientOptions eopts;
    eopts.user_agent = "sluice-operator/0.1 leader-election";
    eopts.request_timeout = std::chrono::seconds(4);  // 2 x 4 s < renew deadline 10 s (LeaderElectionConfig)
    eopts.max_retries = 0;
    auto r = kube::Client::create(std::move(config).value(), eopts);
    if (!r.ok()) {
      log::error("cannot create Kubernetes client", {{"error", r.error().to_string()}});
      return 2;
    }
    electionClient = r.value();
  }

  Registry registry;
  ControllerMetrics metrics(registry);
  EventRecorder events(eventsClient.value());

  kube::ReflectorOptions cached;
  cached.transform = kube::strip_managed_fields;
  kube::ReflectorOptions owned = cached;
  owned.label_selector = kLabelExecution;  // only Jobs and Pods we made
  kube::Informer pipelines(client, pipelinesResource(), flags.namespaces, cached);
  kube::Informer executions(client, executionsResource(), flags.namespaces, cached);
  // The reconciler (made below, before any informer starts) keeps the cache
  // entries of what the store compacts.
  SettledExecutionObserver onSettled;
  configureExecutionStore(executions, [&onSettled](const web::json::value& object, const pipeline::PipelineExecution& parsed) {
    if (onSettled) onSettled(object, parsed);
  });  // indexed by pipeline, finished ones compacted
  kube::Informer jobs(client, kube::resources::jobs(), flags.namespaces, owned);
  kube::Informer pods(client, kube::resources::pods(), flags.namespaces, owned);

  kube::WorkQueue execQueue;
  kube::WorkQueue pipelineQueue;
  auto observeWait = [&metrics](const char* queue) {
    return [&metrics, queue](kube::Clock::Duration waited) {
      metrics.queueLatency.observe(std::chrono::duration<double>(waited).count(), {{"queue", queue}});
    };
  };
  execQueue.set_wait_observer(observeWait("executions"));
  pipelineQueue.set_wait_observer(observeWait("pipelines"));

  // ---- event handlers: enqueue keys, never block ----
  auto enqueueExecution = [&](const kube::ObjectPtr& o) { execQueue.add(keyOf(*o)); };
  // Settled finished executions (compacted) need no reconcile after a
  // relist: their changes come as watch events.
  executions.add_handlers({enqueueExecution, [&](const kube::ObjectPtr&, const kube::ObjectPtr& o) { enqueueExecution(o); },
                           enqueueExecution, /*list_compacted=*/false});
  auto enqueueJobOwner = [&](const kube::ObjectPtr& job) {
    std::string owner = ownerName(*job, "PipelineExecution");
    if (!owner.empty()) execQueue.add(stringAt(*job, {"metadata", "namespace"}) + "/" + owner);
  };
  jobs.add_handlers({enqueueJobOwner, [&](const kube::ObjectPtr&, const kube::ObjectPtr& j) { enqueueJobOwner(j); },
                     enqueueJobOwner});
  auto enqueuePodOwner = [&](const kube::ObjectPtr& pod) {
    const std::string ns = stringAt(*pod, {"metadata", "namespace"});
    std::string job = ownerName(*pod, "Job");
    if (kube::ObjectPtr j = job.empty() ? nullptr : jobs.store().get(ns + "/" + job)) {
      enqueueJobOwner(j);
      return;
    }
    // The Job is not in the cache yet: its label names the execution (exact
    // for names of up to 63 characters; the Job's own event covers the rest).
    std::string exec = stringAt(*pod, {"metadata", "labels", kLabelExecution});
    if (!exec.empty()) execQueue.add(ns + "/" + exec);
  };
  pods.add_handlers({enqueuePodOwner, [&](const kube::ObjectPtr&, const kube::ObjectPtr& p) { enqueuePodOwner(p); },
                     enqueuePodOwner});
  auto onPipeline = [&](const kube::ObjectPtr& p) {
    pipelineQueue.add(keyOf(*p));
    // Executions that have not snapshotted their pipeline yet (e.g. waiting
    // for it to appear) look again.
    const std::string ns = stringAt(*p, {"metadata", "namespace"});
    const std::string name = stringAt(*p, {"metadata", "name"});
    // (Finished executions, compacted, are not Pending: no need to read them.)
    for (const auto& e : executions.store().by_index_uncompacted(kIndexPlanPeers, ns + "/" + name)) {
      if (executionPhase(*e) == "Pending") execQueue.add(keyOf(*e));
    }
  };
  pipelines.add_handlers({onPipeline, [&](const kube::ObjectPtr&, const kube::ObjectPtr& p) { onPipeline(p); }, nullptr});

  Caches caches{&pipelines.store(), &executions.store(), &jobs.store(), &pods.store(),
                [&](const web::json::value& o) { executions.assume(o); }, [&](const web::json::value& o) { jobs.assume(o); }};
  pipeline::PlanOptions planOptions;
  planOptions.gpuResourceName = flags.gpuResourceName;
  planOptions.runnerImage = flags.runnerImage;
  ExecutionReconciler execReconciler(client, caches, events, metrics, planOptions, wallNow,
                                     std::chrono::milliseconds(flags.statusBatchPeriodMs));
  onSettled = [&execReconciler](const web::json::value& object, const pipeline::PipelineExecution& parsed) {
    execReconciler.rememberSettled(object, parsed);
  };
  PipelineReconciler pipelineReconciler(client, pipelines.store(), events, wallNow);

  auto timed = [&](const std::string& controller, const std::function<ReconcileOutcome()>& fn) {
    auto start = std::chrono::steady_clock::now();
    ReconcileOutcome o;
    try {
      o = fn();
    } catch (const std::exception& e) {
      // Never crash on what the server sent; retry with backoff.
      o.retry = true;
      o.error = std::string("unexpected error: ") + e.what();
      log::error("reconcile threw", {{"controller", controller}, {"error", e.what()}});
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics.reconcileDuration.observe(secs, {{"controller", controller}});
    metrics.reconciles.inc({{"controller", controller}, {"result", o.retry ? "error" : "ok"}});
    metrics.queueDepth.set(static_cast<double>(execQueue.len()), {{"queue", "executions"}});
    return toProcessResult(o);
  };

  // ---- HTTP endpoints ----
  std::atomic<bool> leading{!flags.leaderElect};
  std::atomic<bool> electing{false};
  auto synced = [&] { return pipelines.has_synced() && executions.has_synced() && jobs.has_synced() && pods.has_synced(); };
  auto renderMetrics = [&] {
    std::map<Labels, double> byPhase;
    for (const auto& [phase, n] : executions.store().summary_counts()) byPhase[{{"phase", phase}}] = static_cast<double>(n);
    metrics.executions.replaceAll(std::move(byPhase));
    metrics.queueDepth.set(static_cast<double>(execQueue.len()), {{"queue", "executions"}});
    metrics.queueDepth.set(static_cast<double>(pipelineQueue.len()), {{"queue", "pipelines"}});
    return registry.render();
  };
  std::unique_ptr<HttpEndpoints> metricsEndpoint, healthEndpoint;
  try {
    if (flags.metricsBindAddress != "0") metricsEndpoint = std::make_unique<HttpEndpoints>(flags.metricsBindAddress, EndpointHandlers{renderMetrics, synced});
    if (flags.healthProbeBindAddress != "0") {
      // Ready = caches synced and either leading or standing by as a candidate.
      healthEndpoint = std::make_unique<HttpEndpoints>(
          flags.healthProbeBindAddress,
          EndpointHandlers{nullptr, [&] { return synced() && (!flags.leaderElect || leading || electing); }});
    }
  } catch (const std::exception& e) {
    log::error("cannot serve endpoints", {{"error", e.what()}});
    return 2;
  }

  pipelines.start();
  executions.start();
  jobs.start();
  pods.start();

  // ---- workers, started when leading (or at once without election) ----
  std::mutex poolsMu;
  std::unique_ptr<kube::WorkerPool> execPool, pipelinePool;
  std::atomic<bool> stopping{false};
  auto startWorkers = [&] {
    std::lock_guard<std::mutex> l(poolsMu);
    if (execPool) return;
    // Reconcile against warm caches only. They may never sync (RBAC, an
    // unreachable server): SIGTERM must still end the process.
    while (!synced()) {
      if (stopping) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // The first lists held every object parsed at once; the store keeps
    // finished executions compacted (execution_store.h). Hand what that
    // freed back to the system, or glibc keeps it and the process stays at
    // its startup peak.
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    execPool = std::make_unique<kube::WorkerPool>(execQueue, flags.workers, [&](const std::string& key) {
      return timed("execution", [&] { return execReconciler.reconcile(key); });
    });
    pipelinePool = std::make_unique<kube::WorkerPool>(pipelineQueue, 1, [&](const std::string& key) {
      return timed("pipeline", [&] { return pipelineReconciler.reconcile(key); });
    });
    // (Settled finished executions, compacted, have nothing to reconcile.)
    for (const auto& key : executions.store().uncompacted_keys()) execQueue.add(key);
    for (const auto& p : pipelines.store().list()) pipelineQueue.add(keyOf(*p));
    log::info("workers started", {{"workers", std::to_string(flags.workers)}});
  };

  std::atomic<bool> lostLeadership{false};
  std::mutex stopMu;
  std::condition_variable stopCv;
  std::unique_ptr<kube::LeaderElector> elector;
  std::thread starter;  // without election: waits for the caches, starts the workers
  if (flags.leaderElect) {
    kube::LeaderElectionConfig le;
    le.lease_name = flags.leaseName;
    le.lease_namespace = !flags.leaseNamespace.empty() ? flags.leaseNamespace
                         : !podNamespace().empty()     ? podNamespace()
                                                       : "default";
    le.identity = identity();
    // The callbacks outlive `le` (the elector keeps a copy): capture by value.
    le.on_started_leading = [&, id = le.identity] {
      log::info("started leading", {{"identity", id}});
      leading = true;
      std::thread(startWorkers).detach();
    };
    le.on_stopped_leading = [&] {
      leading = false;
      if (!stopping) {
        log::error("lost leadership; exiting so a fresh process campaigns again");
        lostLeadership = true;
        stopCv.notify_all();
      }
    };
    elector = std::make_unique<kube::LeaderElector>(electionClient, le);
    electing = true;
    elector->start();
  } else {
    // Off the main thread, which must be free to take the stop signal while
    // the caches sync.
    starter = std::thread(startWorkers);
  }

  // Wait for the signal (or lost leadership).
  std::thread waiter([&] {
    waitForStop();
    std::lock_guard<std::mutex> l(stopMu);
    stopping = true;
    stopCv.notify_all();
  });
  {
    std::unique_lock<std::mutex> l(stopMu);
    stopCv.wait(l, [&] { return stopping.load() || lostLeadership.load(); });
  }
  stopping = true;
  if (starter.joinable()) starter.join();  // returns within 50 ms once stopping is set
  log::info("shutting down: finishing in-flight reconciles");
  execQueue.shutdown();
  pipelineQueue.shutdown();
  {
    std::lock_guard<std::mutex> l(poolsMu);
    if (execPool) execPool->stop();
    if (pipelinePool) pipelinePool->stop();
  }
  // Only while still leading (or without election): a new leader plans
  // from what is stored, and these are only observations it makes again.
  if (!lostLeadership && leading) execReconciler.writeHeldStatuses();
  if (elector) elector->stop();  // releases the lease so a standby takes over at once
  pipelines.stop();
  executions.stop();
  jobs.stop();
  pods.stop();
  int rc = lostLeadership ? 1 : 0;
  if (lostLeadership) {
    // The signal waiter is still blocked; leave without joining it.
    waiter.detach();
  } else {
    waiter.join();
  }
  log::info("stopped", {{"exitCode", std::to_string(rc)}});
  return rc;
}

}  // namespace sluice::controller

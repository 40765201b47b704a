// The operator's Prometheus metrics, registered once in a Registry.
#pragma once

#include "controller/metrics.h"

namespace sluice::controller {

struct ControllerMetrics {
  explicit ControllerMetrics(Registry& r)
      : reconciles(r.counter("sluice_reconcile_total", "Reconciles by controller and result (ok, error, requeue).")),
        reconcileDuration(r.histogram("sluice_reconcile_duration_seconds", "Time spent in one reconcile.",
                                      exponentialBuckets(0.0005, 2, 16))),
        steps(r.counter("sluice_steps_total",
                        "Step transitions by event (started, succeeded, failed, reused, cache_hit).")),
        jobsCreated(r.counter("sluice_jobs_created_total", "Jobs created for container steps.")),
        apiErrors(r.counter("sluice_api_errors_total", "Failed API writes by kind.")),
        executions(r.gauge("sluice_executions", "Executions in the cache by phase.")),
        queueDepth(r.gauge("sluice_workqueue_depth", "Keys waiting in the work queue.")),
        queueLatency(r.histogram("sluice_workqueue_queue_duration_seconds",
                                 "Time a key waited in the work queue before a worker took it.",
                                 exponentialBuckets(0.0005, 2, 16))) {}

  Counter& reconciles;
  Histogram& reconcileDuration;
  Counter& steps;
  Counter& jobsCreated;
  Counter& apiErrors;
  Gauge& executions;
  Gauge& queueDepth;
  Histogram& queueLatency;
};

}  // namespace sluice::controller

#include "request_costs.h"

#include <thread>

#include "controller/event_recorder.h"
#include "reference_controller.h"

namespace sluice::bench {

using web::json::value;

namespace {

const kube::Resource kExecutions{"sluice.dev", "v1alpha1", "pipelineexecutions", true};

// One kind of request: `send(i)` sends the i-th one (a fresh name each time
// where the server would refuse a repeat).
struct Kind {
  std::string key;
  std::function<kube::Result<value>(int)> send;
};

std::string numbered(const std::string& prefix, int i) { return prefix + std::to_string(i); }

}  // namespace

std::map<std::string, RequestCost> measureRequestCosts(const std::shared_ptr<kube::Client>& client,
                                                       const std::string& ns, const value& executionStatus,
                                                       int batches, int perBatch,
                                                       const std::function<ControlPlaneCpu()>& readCpu,
                                                       std::string* error) {
  std::map<std::string, RequestCost> costs;
  // The execution whose status and labels are written: no operator watches
  // this namespace, so nothing else writes it.
  value execution;
  execution["apiVersion"] = value::string("sluice.dev/v1alpha1");
  execution["kind"] = value::string("PipelineExecution");
  execution["metadata"]["name"] = value::string("cost");
  execution["spec"]["pipelineRef"]["name"] = value::string("linear10");
  auto made = client->create(kExecutions, ns, execution);
  if (!made.ok()) {
    *error = "create the execution: " + made.error().to_string();
    return costs;
  }
  value current = made.value();
  const size_t stepCount = executionStatus.has_field("steps") && executionStatus.at("steps").is_array()
                               ? executionStatus.at("steps").as_array().size()
                               : 0;
  if (stepCount == 0) {
    *error = "the execution status to write has no steps";
    return costs;
  }

  controller::InvolvedObject involved;
  involved.kind = "PipelineExecution";
  involved.namespace_ = ns;
  involved.name = "cost";
  involved.uid = kube::object_uid(current);
  const std::vector<Kind> kinds = {
      {"GET namespaces", [&](int) { return client->get(kube::resources::namespaces(), "", ns); }},
      {"POST events",
       [&](int i) {
         value e = controller::eventObject(involved, "Normal", "StepSucceeded", "Step 'S1' succeeded");
         e["metadata"]["name"] = value::string(numbered("cost.", i));
         return client->create(kube::resources::events(), ns, e);
       }},
      {"POST jobs",
       [&](int i) { return client->create(kube::resources::jobs(), ns, ReferenceController::stepJob(numbered("cost", i), 0)); }},
      {"PUT pipelineexecutions/status",
       [&](int i) {
         // A step changes phase each time, as in a real run.
         value status = executionStatus;
         status["steps"][i % stepCount]["phase"] = value::string((i / stepCount) % 2 ? "Executing" : "Succeeded");
         current["status"] = status;
         auto r = client->update_status(kExecutions, ns, current);
         if (r.ok()) current = r.value();
         return r;
       }},
      {"PATCH pipelineexecutions",
       [&](int i) {
         value patch;
         patch["metadata"]["labels"]["sluice.dev/cost"] = value::string(std::to_string(i));
         auto r = client->merge_patch(kExecutions, ns, "cost", patch);
         if (r.ok()) current = r.value();  // the next status PUT must carry its resourceVersion
         return r;
       }},
  };

  std::map<std::string, std::vector<double>> apiserverMs, etcdMs;
  std::map<std::string, int> sent;
  for (int b = 0; b < batches; ++b) {
    for (const auto& kind : kinds) {
      // Let the previous batch's deferred work (watch fan-out, compaction of
      // the write) finish on its own account, not this batch's.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const ControlPlaneCpu before = readCpu();
      for (int i = 0; i < perBatch; ++i) {
        auto r = kind.send(sent[kind.key]++);
        if (!r.ok()) {
          *error = kind.key + ": " + r.error().to_string();
          return costs;
        }
      }
      const ControlPlaneCpu after = readCpu();
      if (before.apiserver < 0 || before.etcd < 0 || after.apiserver < 0 || after.etcd < 0) {
        *error = "the control plane's CPU time is unreadable (no pid files under $SLUICE_TESTENV_RUN)";
        return costs;
      }
      apiserverMs[kind.key].push_back((after.apiserver - before.apiserver) * 1000.0 / perBatch);
      etcdMs[kind.key].push_back((after.etcd - before.etcd) * 1000.0 / perBatch);
    }
  }
  for (const auto& kind : kinds) {
    costs[kind.key] = RequestCost{summarize(apiserverMs[kind.key]), summarize(etcdMs[kind.key])};
  }
  return costs;
}

}  // namespace sluice::bench

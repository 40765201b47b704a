// What the fault suites share: a ten-step pipeline, counts of Jobs per
// step and of Events per transition read back from the API server, and
// their settings from the environment.
#pragma once

#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "controller/json_access.h"
#include "operator_fixture.h"

namespace sluice::testing {

inline int envInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// Ten steps, two diamonds and a tail, at most two at once.
inline const std::string kTenSteps = R"(apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: ten}
spec:
  defaults: {serviceAccountName: pipeline-steps}
  maxParallelSteps: 2
  steps:
  - {name: A, container: {image: registry.example/a:1}}
  - {name: B, container: {image: registry.example/b:1}, dependsOn: [A]}
  - {name: C, container: {image: registry.example/c:1}, dependsOn: [A]}
  - {name: D, container: {image: registry.example/d:1}, dependsOn: [B, C]}
  - {name: E, container: {image: registry.example/e:1}, dependsOn: [D]}
  - {name: F, container: {image: registry.example/f:1}, dependsOn: [E]}
  - {name: G, container: {image: registry.example/g:1}, dependsOn: [E]}
  - {name: H, container: {image: registry.example/h:1}, dependsOn: [F, G]}
  - {name: I, container: {image: registry.example/i:1}, dependsOn: [H]}
  - {name: J, container: {image: registry.example/j:1}, dependsOn: [I]}
)";
inline const std::vector<std::string> kSteps = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"};

class FaultTest : public OperatorTest {
 protected:
  // Jobs per (execution, step), from the API server.
  std::map<std::pair<std::string, std::string>, int> jobsPerStep() {
    std::map<std::pair<std::string, std::string>, int> n;
    auto r = client_->list(kube::resources::jobs(), ns_);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return n;
    for (const auto& j : r->items)
      ++n[{controller::stringAt(j, {"metadata", "labels", "sluice.dev/execution"}),
           controller::stringAt(j, {"metadata", "annotations", "sluice.dev/step"})}];
    return n;
  }

  // Events per (execution, reason, message): a transition recorded twice
  // shows up as a count above one.
  std::map<std::string, int> eventsOf(const std::string& execution) {
    std::map<std::string, int> n;
    kube::ListOptions o;
    o.field_selector = "involvedObject.name=" + execution;
    auto r = client_->list(kube::resources::events(), ns_, o);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return n;
    for (const auto& e : r->items) {
      const web::json::value* count = controller::fieldAt(e, {"count"});
      n[controller::stringAt(e, {"reason"}) + ": " + controller::stringAt(e, {"message"})] +=
          count && count->is_number() ? count->as_integer() : 1;
    }
    return n;
  }

  // What became of executions PREFIX0 .. PREFIX(N-1) of kTenSteps, each
  // expected to succeed: every problem is also reported as a test failure.
  struct Tally {
    int lost = 0;             // not Succeeded within the timeout
    int incomplete = 0;       // step records without phase, Job, times or one attempt
    int duplicateJobs = 0;    // steps with two Jobs
    int missingJobs = 0;      // steps without a Job
    int duplicateEvents = 0;  // transitions recorded twice
  };
  Tally tallyTenStepRuns(const std::string& prefix, int executions, std::chrono::seconds timeout) {
    Tally t;
    for (int i = 0; i < executions; ++i) {
      const std::string name = prefix + std::to_string(i);
      if (waitTerminal(name, timeout) != "Succeeded") {
        ++t.lost;
        ADD_FAILURE() << name << " ended '" << phase(name) << "': " << execution(name).serialize();
        continue;
      }
      const web::json::value x = execution(name);
      for (const auto& step : kSteps) {
        const web::json::value* s = stepStatus(x, step);
        // Complete: every step Succeeded, with its Job, times and one
        // attempt (the fake kubelet never fails a pod).
        if (!s || controller::stringAt(*s, {"phase"}) != "Succeeded" || controller::stringAt(*s, {"jobName"}).empty() ||
            controller::stringAt(*s, {"startTime"}).empty() || controller::stringAt(*s, {"endTime"}).empty() ||
            !s->has_field("attemptCount") || s->at("attemptCount").as_integer() != 1) {
          ++t.incomplete;
          ADD_FAILURE() << name << " step " << step << ": " << (s ? s->serialize() : "no status");
        }
      }
      for (const auto& [event, count] : eventsOf(name)) {
        if (count > 1) {
          ++t.duplicateEvents;
          ADD_FAILURE() << name << ": event '" << event << "' recorded " << count << " times";
        }
      }
    }
    const auto jobs = jobsPerStep();
    for (int i = 0; i < executions; ++i)
      for (const auto& step : kSteps) {
        const auto it = jobs.find({prefix + std::to_string(i), step});
        const int n = it == jobs.end() ? 0 : it->second;
        if (n > 1) ++t.duplicateJobs;
        if (n == 0) ++t.missingJobs;
      }
    EXPECT_EQ(t.duplicateJobs, 0);
    EXPECT_EQ(t.missingJobs, 0);
    return t;
  }

  // Applies N executions PREFIX0 .. of kTenSteps in one kubectl call.
  void applyTenStepRuns(const std::string& prefix, int executions) {
    std::string yaml;
    for (int i = 0; i < executions; ++i)
      yaml += "apiVersion: sluice.dev/v1alpha1\nkind: PipelineExecution\nmetadata: {name: " + prefix +
              std::to_string(i) + "}\nspec: {pipelineRef: {name: ten}}\n---\n";
    apply(yaml);
  }

  // Executions PREFIX0 .. not yet in a terminal phase: shows a fault hit
  // running work, not a finished batch.
  int unfinished(const std::string& prefix, int executions) {
    int n = 0;
    for (int i = 0; i < executions; ++i) {
      const std::string p = phase(prefix + std::to_string(i));
      n += p != "Succeeded" && p != "Failed" && p != "Stopped";
    }
    return n;
  }
};

}  // namespace sluice::testing

// Status batching (--status-batch-period, pipeline/status_batching.h)
// against the real API server: short steps share status writes, a graceful
// stop writes what is held, and an operator killed while holding a change
// leaves the next one to plan it again from the Jobs and pods, with no
// Event missing.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "controller/json_access.h"
#include "operator_fixture.h"

namespace sluice::testing {
namespace {

using sluice::controller::stringAt;
using web::json::value;

const kube::Resource kExecutions{"sluice.dev", "v1alpha1", "pipelineexecutions", true};

const std::string kSixSteps = linearPipelineYaml("six", 6);

// Counts the distinct statuses the server stored for one execution, from a
// watch started before it exists.
class StatusWrites {
 public:
  StatusWrites(std::shared_ptr<kube::Client> client, std::string ns, std::string name)
      : client_(std::move(client)), ns_(std::move(ns)), name_(std::move(name)) {
    thread_ = std::thread([this] {
      kube::WatchOptions o;
      o.field_selector = "metadata.name=" + name_;
      o.timeout_seconds = 120;
      // A watch that fails shows as too few writes counted.
      (void)client_->watch(kExecutions, ns_, o,
                     [this](kube::WatchEvent&& e) {
                       const value status = e.object.has_field("status") ? e.object.at("status") : value::object();
                       if (status != last_) {
                         last_ = status;
                         ++writes_;
                       }
                       return true;
                     },
                     cancel_.get_token());
    });
  }
  ~StatusWrites() {
    cancel_.cancel();
    thread_.join();
  }
  int writes() const { return writes_.load(); }

 private:
  std::shared_ptr<kube::Client> client_;
  std::string ns_, name_;
  value last_ = value::object();
  std::atomic<int> writes_{0};
  pplx::cancellation_token_source cancel_;
  std::thread thread_;
};

std::map<std::string, int> eventsOf(kube::Client& client, const std::string& ns, const std::string& name) {
  std::map<std::string, int> seen;  // "reason message" -> count
  kube::ListOptions o;
  o.field_selector = "involvedObject.name=" + name;
  auto events = client.list(kube::resources::events(), ns, o);
  if (events.ok())
    for (const auto& e : events->items) seen[stringAt(e, {"reason"}) + " " + stringAt(e, {"message"})] += 1;
  return seen;
}

int withPrefix(const std::map<std::string, int>& seen, const std::string& prefix) {
  int n = 0;
  for (const auto& [what, count] : seen)
    if (what.rfind(prefix, 0) == 0) n += count;
  return n;
}

TEST_F(OperatorTest, ShortStepsShareStatusWritesAndEveryStepIsStillRecorded) {
  // The same six short steps, once writing every change at once and once
  // batching them (the default period, 1 s).
  apply(kSixSteps);
  startKubelet([](const std::string&) { return StepBehaviour{}; });
  std::map<std::string, int> writes;
  for (const std::string mode : {"at-once", "batched"}) {
    startOperator("operator-" + mode, mode == "at-once" ? std::vector<std::string>{"--status-batch-period=0"}
                                                        : std::vector<std::string>{});
    const std::string name = "run-" + mode;
    {
      StatusWrites counter(client_, ns_, name);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the watch is open
      apply(execYaml(name, "six"));
      ASSERT_EQ(waitTerminal(name), "Succeeded") << execution(name).serialize();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the last event arrives
      writes[mode] = counter.writes();
    }
    EXPECT_EQ(stopOperator(), 0);

    const value run = execution(name);
    for (const std::string step : {"A", "B", "C", "D", "E", "F"}) {
      const value* s = stepStatus(run, step);
      ASSERT_NE(s, nullptr) << step;
      EXPECT_EQ(stringAt(*s, {"phase"}), "Succeeded") << mode << " " << step;
      EXPECT_FALSE(stringAt(*s, {"jobName"}).empty()) << mode << " " << step;
      EXPECT_FALSE(stringAt(*s, {"startTime"}).empty()) << mode << " " << step;
      EXPECT_FALSE(stringAt(*s, {"endTime"}).empty()) << mode << " " << step;
    }
    std::map<std::string, int> seen;
    ASSERT_TRUE(eventually([&] {
      seen = eventsOf(*client_, ns_, name);
      return withPrefix(seen, "ExecutionSucceeded") == 1;
    }));
    // Events are named after their transitions, so none can repeat; what
    // this checks is that none is missing when progress is held back.
    for (const auto& [what, count] : seen) EXPECT_EQ(count, 1) << mode << " " << what;
    EXPECT_EQ(withPrefix(seen, "StepStarted"), 6) << mode;
    EXPECT_EQ(withPrefix(seen, "StepSucceeded"), 6) << mode;
  }
  std::cout << "status writes for six short steps: at once " << writes["at-once"] << ", batched "
            << writes["batched"] << "\n";
  EXPECT_GE(writes["at-once"], 6) << "at least one write per step when nothing is batched";
  EXPECT_LT(writes["batched"], writes["at-once"]);
}

// An operator (log `logName`) that holds changes for a minute runs "held"
// until A has succeeded and B's Job exists (its pod held Pending): both
// held, not written.
class HeldStatusTest : public OperatorTest {
 protected:
  void runUntilBHeld(const std::string& logName) {
    apply(kSixSteps);
    startKubelet(holding("B"));
    startOperator(logName, {"--status-batch-period=60s"});
    apply(execYaml("held", "six"));
    ASSERT_TRUE(eventually([&] {
      const auto started = kubelet_->stepsStarted();
      return std::find(started.begin(), started.end(), "B") != started.end();
    }));
    std::this_thread::sleep_for(std::chrono::seconds(1));  // the operator has seen A's pod succeed
    const value stored = execution("held");
    const value* a = stepStatus(stored, "A");
    ASSERT_NE(a, nullptr);
    ASSERT_NE(stringAt(*a, {"phase"}), "Succeeded") << "A's success is held, not written yet: " << stored.serialize();
  }
};

TEST_F(HeldStatusTest, SigtermWritesTheStatusItHolds) {
  runUntilBHeld("operator");
  if (HasFatalFailure()) return;
  EXPECT_EQ(stopOperator(), 0);
  const value run = execution("held");
  EXPECT_EQ(stringAt(*stepStatus(run, "A"), {"phase"}), "Succeeded") << run.serialize();
  EXPECT_EQ(stringAt(*stepStatus(run, "B"), {"phase"}), "Starting") << run.serialize();  // its pod is held Pending
  EXPECT_FALSE(stringAt(*stepStatus(run, "B"), {"jobName"}).empty());
}

TEST_F(HeldStatusTest, AKilledOperatorsHeldStatusIsPlannedAgainWithoutLosingAnEvent) {
  runUntilBHeld("first");
  if (HasFatalFailure()) return;
  operator_->signal(SIGKILL);
  EXPECT_EQ(operator_->wait(10000), 128 + SIGKILL);

  startOperator("second");
  ASSERT_TRUE(eventually([&] {
    const value run = execution("held");
    const value* a = stepStatus(run, "A");
    const value* b = stepStatus(run, "B");
    return a && b && stringAt(*a, {"phase"}) == "Succeeded" && stringAt(*b, {"phase"}) == "Starting";
  })) << execution("held").serialize();
  kubelet_->release("B");
  ASSERT_EQ(waitTerminal("held"), "Succeeded") << execution("held").serialize();
  EXPECT_EQ(jobSteps("held"), (std::vector<std::string>{"A", "B", "C", "D", "E", "F"})) << "every step ran";
  std::map<std::string, int> seen;
  ASSERT_TRUE(eventually([&] {
    seen = eventsOf(*client_, ns_, "held");
    return withPrefix(seen, "ExecutionSucceeded") == 1;
  }));
  // None repeats by construction (named after its transition); none may be
  // missing, though the first operator died holding their status.
  for (const auto& [what, count] : seen) EXPECT_EQ(count, 1) << what;
  EXPECT_EQ(withPrefix(seen, "StepStarted"), 6);
  EXPECT_EQ(withPrefix(seen, "StepSucceeded"), 6);
}

}  // namespace
}  // namespace sluice::testing

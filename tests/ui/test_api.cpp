// The web view's JSON API over an in-memory backend: each route, its input
// checks (naming the field), the planner's verdict exactly as the operator
// would give it, and that nothing is created for a refused or read-only run.
#include <gtest/gtest.h>

#include "cli_fixtures.h"
#include "memory_backend.h"
#include "ui/api.h"
#include "ui/views.h"

namespace sluice::ui {
namespace {

using namespace sluice::cli::testing;
using testing::MemoryBackend;
using web::json::value;

const UnixSeconds kNow = kT0 + 7200;

struct ApiTest : ::testing::Test {
  MemoryBackend backend;
  ApiContext ctx;
  Pipeline pipeline = abalonePipeline();

  void SetUp() override {
    ctx.defaultNamespace = "ml";
    ctx.context = "kind-ml";
    ctx.csrfToken = "csrf";
    ctx.now = [] { return kNow; };
    backend.pipelineObjects.push_back(resourceJson(pipeline));
    PipelineExecution full = completedRun(pipeline, "full", kT0, "4.37");
    backend.executionObjects.push_back(resourceJson(full));
  }

  value call(const std::string& method, const std::string& target, const std::string& body, int expectStatus) {
    HttpRequest r;
    r.method = method;
    splitTarget(target, r.path, r.query);
    r.body = body;
    HttpResponse res = handleApi(backend, r, ctx);
    EXPECT_EQ(res.status, expectStatus) << method << " " << target << ": " << res.body;
    return value::parse(res.body);
  }
  value get(const std::string& target, int status = 200) { return call("GET", target, "", status); }
  value post(const std::string& target, const std::string& body, int status = 200) {
    return call("POST", target, body, status);
  }
};

const value& stepIn(const value& list, const std::string& name) {
  for (const auto& s : list.as_array())
    if (s.at("name").as_string() == name) return s;
  throw std::runtime_error("no step " + name);
}

TEST_F(ApiTest, SessionTellsTheNamespaceContextAndCsrfToken) {
  ctx.readOnly = true;
  value s = get("/api/session");
  EXPECT_EQ(s.at("namespace").as_string(), "ml");
  EXPECT_EQ(s.at("context").as_string(), "kind-ml");
  EXPECT_EQ(s.at("csrfToken").as_string(), "csrf");
  EXPECT_TRUE(s.at("readOnly").as_bool());
}

TEST_F(ApiTest, PipelinesCountTheirExecutions) {
  value p = get("/api/namespaces/ml/pipelines");
  ASSERT_EQ(p.at("items").size(), 1u);
  const value& a = p.at("items")[0];
  EXPECT_EQ(a.at("name").as_string(), "abalone");
  EXPECT_EQ(a.at("steps").as_integer(), 6);
  EXPECT_EQ(a.at("executions").as_integer(), 1);
  EXPECT_EQ(a.at("parameters").at(1).at("name").as_string(), "XGBNumRounds");
  EXPECT_EQ(a.at("parameters").at(1).at("type").as_string(), "Integer");
  EXPECT_EQ(a.at("parameters").at(1).at("default").as_string(), "120");
  EXPECT_EQ(get("/api/namespaces/other/pipelines").at("items").size(), 0u);  // nothing crosses namespaces
}

TEST_F(ApiTest, ExecutionsAreFilteredByPipelineAndPhase) {
  PipelineExecution failed = completedRun(pipeline, "failing", kT0 + 60, "4.4", {}, 5);
  backend.executionObjects.push_back(resourceJson(failed));
  value all = get("/api/namespaces/ml/executions");
  ASSERT_EQ(all.at("items").size(), 2u);
  EXPECT_EQ(all.at("items")[0].at("name").as_string(), "failing");  // newest first
  EXPECT_EQ(all.at("items")[0].at("phase").as_string(), "Failed");
  value ok = get("/api/namespaces/ml/executions?phase=Succeeded");
  ASSERT_EQ(ok.at("items").size(), 1u);
  EXPECT_EQ(ok.at("items")[0].at("name").as_string(), "full");
  EXPECT_EQ(ok.at("items")[0].at("progress").as_string(), "6/6");  // Skipped counts as done
  EXPECT_EQ(get("/api/namespaces/ml/executions?pipeline=other").at("items").size(), 0u);
  value bad = get("/api/namespaces/ml/executions?phase=Done", 400);
  EXPECT_NE(bad.at("error").as_string().find("phase: unknown phase 'Done'"), std::string::npos);
}

TEST_F(ApiTest, AnExecutionCarriesItsGraphStatusAndParametersAgainstItsSource) {
  // A selective run of Train + Evaluate from "full" with a new XGBNumRounds.
  Simulation sim(pipeline,
                 makeExecution("retrain", kT0 + 600, {{"XGBNumRounds", "150"}}, selectSteps({"Train", "Evaluate"}, "full")),
                 kT0 + 600);
  sim.scripts["Evaluate"].properties = {{"mse", "4.2"}};
  sim.others = {completedRun(pipeline, "full", kT0, "4.37")};
  sim.runToEnd();
  backend.executionObjects.push_back(resourceJson(sim.execution));
  value x = get("/api/namespaces/ml/executions/retrain");
  EXPECT_EQ(x.at("phase").as_string(), "Succeeded");
  EXPECT_EQ(x.at("source").as_string(), "full");
  EXPECT_EQ(x.at("order")[0].as_string(), "Preprocess");
  const value& steps = x.at("steps");
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(stepIn(steps, "Preprocess").at("reusedFrom").as_string(), "full");
  EXPECT_EQ(stepIn(steps, "Train").at("reusedFrom").is_null(), true);
  EXPECT_EQ(stepIn(steps, "Train").at("dependsOn").at(0).as_string(), "Preprocess");
  EXPECT_EQ(stepIn(steps, "Train").at("image").as_string(), "registry.example/abalone:1.0");
  EXPECT_EQ(stepIn(steps, "Evaluate").at("properties").at(0).at("value").as_string(), "4.2");
  EXPECT_EQ(stepIn(steps, "Register").at("branch").at("condition").as_string(), "MSECheck");
  EXPECT_EQ(stepIn(steps, "Register").at("branch").at("branch").as_string(), "if");
  EXPECT_EQ(stepIn(steps, "FailNotify").at("branch").at("branch").as_string(), "else");
  EXPECT_EQ(stepIn(steps, "FailNotify").at("kind").as_string(), "Fail");
  EXPECT_EQ(stepIn(steps, "MSECheck").at("kind").as_string(), "Condition");
  const value& params = x.at("parameters");
  bool sawRounds = false;
  for (const auto& p : params.as_array()) {
    if (p.at("name").as_string() != "XGBNumRounds") {
      EXPECT_FALSE(p.at("changed").as_bool()) << p.serialize();
      continue;
    }
    sawRounds = true;
    EXPECT_EQ(p.at("value").as_string(), "150");
    EXPECT_EQ(p.at("sourceValue").as_string(), "120");
    EXPECT_EQ(p.at("source").as_string(), "Override");
    EXPECT_EQ(p.at("type").as_string(), "Integer");
    EXPECT_TRUE(p.at("changed").as_bool());
  }
  EXPECT_TRUE(sawRounds);
  value missing = get("/api/namespaces/ml/executions/nope", 404);
  EXPECT_EQ(missing.at("error").as_string(), "execution 'nope' in namespace 'ml' not found");
}

TEST_F(ApiTest, ThePlanIsThePlannersVerdictAndCreatesNothing) {
  value plan = post("/api/namespaces/ml/plan",
                    R"({"pipeline":"abalone","source":"full","selectedSteps":["Train","Evaluate"],"parameters":{"XGBNumRounds":"150"}})");
  EXPECT_TRUE(plan.at("verdict").at("accepted").as_bool());
  EXPECT_EQ(plan.at("sourceExecution").as_string(), "full");
  EXPECT_EQ(stepIn(plan.at("steps"), "Preprocess").at("action").as_string(), "reuse");
  EXPECT_EQ(stepIn(plan.at("steps"), "Preprocess").at("producer").as_string(), "full");
  EXPECT_EQ(stepIn(plan.at("steps"), "Train").at("action").as_string(), "run");
  EXPECT_EQ(stepIn(plan.at("steps"), "Register").at("action").as_string(), "skip");
  EXPECT_TRUE(backend.created.empty());
}

TEST_F(ApiTest, StartCreatesTheExecutionThePlanDescribed) {
  value made = post("/api/namespaces/ml/executions",
                    R"({"pipeline":"abalone","source":"full","selectedSteps":["Train","Evaluate"],"parameters":{"XGBNumRounds":"150"}})",
                    201);
  EXPECT_EQ(made.at("name").as_string(), "abalone-x1");
  ASSERT_EQ(backend.created.size(), 1u);
  const value& spec = backend.created[0].at("spec");
  EXPECT_EQ(spec.at("pipelineRef").at("name").as_string(), "abalone");
  EXPECT_EQ(spec.at("selectiveExecution").at("sourceExecution").as_string(), "full");
  EXPECT_EQ(spec.at("selectiveExecution").at("selectedSteps").serialize(), R"(["Train","Evaluate"])");
  EXPECT_EQ(spec.at("parameters").serialize(), R"([{"name":"XGBNumRounds","value":"150"}])");
}

TEST_F(ApiTest, ARefusedRunCreatesNothingAndSaysWhy) {
  value refused = post("/api/namespaces/ml/executions",
                       R"({"pipeline":"abalone","source":"full","selectedSteps":["Nope"]})", 422);
  EXPECT_NE(refused.at("error").as_string().find("Nothing was created"), std::string::npos);
  EXPECT_FALSE(refused.at("plan").at("verdict").at("accepted").as_bool());
  EXPECT_NE(refused.at("plan").at("verdict").at("message").as_string().find("Nope"), std::string::npos);
  EXPECT_TRUE(backend.created.empty());
}

TEST_F(ApiTest, ReadOnlyRefusesStartAndStopButStillPlans) {
  ctx.readOnly = true;
  const std::string body = R"({"pipeline":"abalone","source":"full","selectedSteps":["Train"]})";
  post("/api/namespaces/ml/plan", body, 200);
  post("/api/namespaces/ml/executions", body, 403);
  post("/api/namespaces/ml/executions/full/stop", "{}", 403);
  EXPECT_TRUE(backend.created.empty());
  EXPECT_TRUE(backend.stopped.empty());
}

TEST_F(ApiTest, StopPatchesTheNamedExecution) {
  EXPECT_EQ(post("/api/namespaces/ml/executions/full/stop", "{}").at("name").as_string(), "full");
  EXPECT_EQ(backend.stopped, std::vector<std::string>{"full"});
  post("/api/namespaces/ml/executions/nope/stop", "{}", 404);
}

TEST_F(ApiTest, BadBodiesNameTheField) {
  struct Case {
    std::string body, expected;
  };
  const std::vector<Case> cases = {
      {"not json", "request body: not JSON"},
      {"[]", "request body: not a JSON object"},
      {R"({"pipeline":"abalone","colour":"red"})", "colour: unknown field"},
      {R"({})", "pipeline: required"},
      {R"({"pipeline":"Bad_Name"})", "pipeline: required, a Pipeline's name"},
      {R"({"pipeline":"abalone","source":"full"})", "source: needs a selection"},
      {R"({"pipeline":"abalone","selectedSteps":["Train"]})", "source: a selection needs the source execution"},
      {R"({"pipeline":"abalone","source":"full","selectedSteps":"Train"})", "selectedSteps: not a list"},
      {R"({"pipeline":"abalone","source":"full","selectedSteps":["a b"]})", "selectedSteps[0]: not a step name"},
      {R"({"pipeline":"abalone","source":"full","selectedSteps":["Train"],"fromFailure":true})", "exclude each other"},
      {R"({"pipeline":"abalone","source":"full","fromFailure":"yes"})", "fromFailure: not true or false"},
      {R"({"pipeline":"abalone","parameters":{"XGBNumRounds":150}})", "parameters.XGBNumRounds: not a string"},
      {R"({"pipeline":"abalone","parameters":[]})", "parameters: not an object"},
  };
  for (const auto& c : cases) {
    value r = post("/api/namespaces/ml/plan", c.body, 400);
    EXPECT_NE(r.at("error").as_string().find(c.expected), std::string::npos) << c.body << " -> " << r.serialize();
  }
  post("/api/namespaces/ml/plan", R"({"pipeline":"missing"})", 404);
  EXPECT_TRUE(backend.created.empty());
}

TEST_F(ApiTest, PathsAreCheckedBeforeAnyRead) {
  get("/api/namespaces/Bad_NS/executions", 400);
  get("/api/namespaces/ml/executions/..", 400);
  get("/api/namespaces/ml/executions/full/steps/a%20b/logs", 400);
  get("/api/namespaces/ml/secrets", 404);
  get("/api/nothing", 404);
  call("DELETE", "/api/namespaces/ml/executions/full", "", 405);
}

TEST_F(ApiTest, ClusterErrorsKeepTheirMeaning) {
  kube::Error forbidden;
  forbidden.kind = kube::ErrorKind::Forbidden;
  forbidden.http_code = 403;
  forbidden.message = "user cannot list pipelineexecutions";
  backend.failReads = forbidden;
  value r = get("/api/namespaces/ml/executions", 403);
  EXPECT_EQ(r.at("error").as_string(), "not allowed: user cannot list pipelineexecutions");
  kube::Error down;
  down.kind = kube::ErrorKind::Unavailable;
  down.message = "connection refused";
  backend.failReads = down;
  get("/api/namespaces/ml/pipelines", 502);
}

TEST_F(ApiTest, LogsComeFromTheNewestPodOfTheStep) {
  auto pod = [](const std::string& name, const std::string& step, const std::string& created) {
    value p;
    p["metadata"]["name"] = value::string(name);
    p["metadata"]["namespace"] = value::string("ml");
    p["metadata"]["creationTimestamp"] = value::string(created);
    p["metadata"]["labels"]["sluice.dev/execution"] = value::string("full");
    p["metadata"]["labels"]["sluice.dev/step"] = value::string(step);
    return p;
  };
  backend.podObjects = {pod("train-1", "Train", "2026-11-20T10:01:00Z"), pod("train-2", "Train", "2026-11-20T10:05:00Z"),
                        pod("eval-1", "Evaluate", "2026-11-20T10:09:00Z")};
  backend.logs["train-2"] = "epoch 1\nepoch 2\n";
  value logs = get("/api/namespaces/ml/executions/full/steps/Train/logs?tail=20");
  EXPECT_EQ(logs.at("pod").as_string(), "train-2");
  EXPECT_EQ(logs.at("lines").serialize(), R"(["epoch 1","epoch 2"])");
  EXPECT_EQ(backend.tailsAsked, std::vector<int>{20});
  value none = get("/api/namespaces/ml/executions/full/steps/Register/logs");
  EXPECT_TRUE(none.at("pod").is_null());
  value unreadable = get("/api/namespaces/ml/executions/full/steps/Evaluate/logs");
  EXPECT_NE(unreadable.at("error").as_string().find("eval-1"), std::string::npos);
  get("/api/namespaces/ml/executions/full/steps/Train/logs?tail=0", 400);
  get("/api/namespaces/ml/executions/full/steps/Train/logs?tail=5x", 400);
}

TEST(ServerSentEvents, AChangeBecomesOneEventWithItsPhase) {
  ExecutionChange c;
  c.type = "MODIFIED";
  c.object["metadata"]["name"] = value::string("full");
  c.object["spec"]["pipelineRef"]["name"] = value::string("abalone");
  EXPECT_EQ(serverSentEvent(c),
            "event: execution\ndata: {\"name\":\"full\",\"phase\":\"Pending\",\"pipeline\":\"abalone\",\"type\":\"MODIFIED\"}\n\n");
  HttpRequest w;
  w.method = "GET";
  w.path = "/api/namespaces/ml/watch";
  EXPECT_EQ(watchNamespace(w), "ml");
  w.path = "/api/namespaces/ML/watch";
  EXPECT_EQ(watchNamespace(w), "");
}

}  // namespace
}  // namespace sluice::ui

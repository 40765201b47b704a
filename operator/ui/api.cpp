#include "ui/api.h"

#include <algorithm>

#include "cli/plan_preview.h"
#include "cli/run_request.h"
#include "cli/sluice_api.h"
#include "controller/json_access.h"
#include "pipeline/model_json.h"
#include "ui/views.h"

namespace sluice::ui {

namespace pl = sluice::pipeline;
using controller::stringAt;
using web::json::value;

namespace {

constexpr int kMaxLogTail = 1000;
constexpr size_t kMaxBody = 256 * 1024;

HttpResponse json(int status, const value& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.serialize();
  return r;
}

int statusFor(const kube::Error& e) {
  switch (e.kind) {
    case kube::ErrorKind::NotFound: return 404;
    case kube::ErrorKind::Forbidden: return 403;
    case kube::ErrorKind::Unauthorized: return 401;
    case kube::ErrorKind::AlreadyExists:
    case kube::ErrorKind::Conflict: return 409;
    case kube::ErrorKind::Invalid:
    case kube::ErrorKind::BadRequest: return 422;
    default: return 502;  // the cluster, not this server, failed
  }
}

HttpResponse clusterError(const kube::Error& e, const std::string& what) {
  return errorResponse(statusFor(e), cli::describeError(e, what));
}

std::string executionWhat(const std::string& ns, const std::string& name) {
  return "execution '" + name + "' in namespace '" + ns + "'";
}

// RunBody -> RunRequest; "" or the first problem, naming the field.
std::string parseRunBody(const std::string& text, cli::RunRequest& r) {
  if (text.size() > kMaxBody) return "request body: larger than 256 KiB";
  value body;
  try {
    body = value::parse(text);
  } catch (const std::exception&) {
    return "request body: not JSON";
  }
  if (!body.is_object()) return "request body: not a JSON object";
  for (const auto& [key, _] : body.as_object()) {
    static const std::vector<std::string> known = {"pipeline",    "source",          "selectedSteps", "fromSteps",
                                                   "fromFailure", "allowStaleReuse", "parameters"};
    if (std::find(known.begin(), known.end(), key) == known.end()) return key + ": unknown field";
  }
  if (!body.has_field("pipeline") || !body.at("pipeline").is_string() || !isObjectName(body.at("pipeline").as_string()))
    return "pipeline: required, a Pipeline's name";
  r.pipeline = body.at("pipeline").as_string();
  if (body.has_field("source") && !body.at("source").is_null()) {
    if (!body.at("source").is_string() || !isObjectName(body.at("source").as_string()))
      return "source: not an execution name";
    r.from = body.at("source").as_string();
  }
  for (const char* field : {"selectedSteps", "fromSteps"}) {
    if (!body.has_field(field) || body.at(field).is_null()) continue;
    if (!body.at(field).is_array()) return std::string(field) + ": not a list of step names";
    auto& out = std::string(field) == "selectedSteps" ? r.steps : r.fromSteps;
    size_t i = 0;
    for (const auto& s : body.at(field).as_array()) {
      if (!s.is_string() || !isStepName(s.as_string()))
        return std::string(field) + "[" + std::to_string(i) + "]: not a step name";
      out.push_back(s.as_string());
      ++i;
    }
  }
  for (const char* field : {"fromFailure", "allowStaleReuse"}) {
    if (!body.has_field(field) || body.at(field).is_null()) continue;
    if (!body.at(field).is_boolean()) return std::string(field) + ": not true or false";
    (std::string(field) == "fromFailure" ? r.fromFailure : r.allowStaleReuse) = body.at(field).as_bool();
  }
  if (body.has_field("parameters") && !body.at("parameters").is_null()) {
    if (!body.at("parameters").is_object()) return "parameters: not an object of NAME: VALUE";
    for (const auto& [name, v] : body.at("parameters").as_object()) {
      if (!v.is_string()) return "parameters." + name + ": not a string (values are strings, as in the Pipeline)";
      r.parameters.push_back({name, v.as_string()});
    }
  }
  const int forms = (!r.steps.empty()) + (!r.fromSteps.empty()) + (r.fromFailure ? 1 : 0);
  if (forms > 1) return "selectedSteps, fromSteps and fromFailure exclude each other: give one";
  if (r.from && forms == 0) return "source: needs a selection (selectedSteps, fromSteps or fromFailure)";
  if (forms > 0 && !r.from) return "source: a selection needs the source execution whose outputs are linked";
  return "";
}

struct Judged {
  value manifest;
  cli::PlanPreview preview;
};

// The planner's verdict on a RunBody, or the response that ends the request.
std::variant<Judged, HttpResponse> judge(Backend& b, const std::string& ns, const HttpRequest& req,
                                          const ApiContext& ctx) {
  cli::RunRequest request;
  if (std::string problem = parseRunBody(req.body, request); !problem.empty()) return errorResponse(400, problem);
  auto pipelineObject = b.pipeline(ns, request.pipeline);
  if (!pipelineObject.ok())
    return clusterError(pipelineObject.error(), "pipeline '" + request.pipeline + "' in namespace '" + ns + "'");
  const pl::Pipeline live = pl::parsePipeline(*pipelineObject).value;
  const auto parameters = cli::explicitParameters(request, live.spec.parameters, nullptr);
  value manifest = cli::executionManifest(request, ns, parameters);
  auto all = b.executions(ns);
  if (!all.ok()) return clusterError(all.error(), "executions in namespace '" + ns + "'");
  return Judged{manifest, cli::previewPlan(cli::buildPlanInput(manifest, &*pipelineObject, *all, ctx.now()))};
}

HttpResponse listExecutions(Backend& b, const std::string& ns, const HttpRequest& req) {
  const std::string pipeline = req.param("pipeline"), phase = req.param("phase");
  if (!phase.empty() && !pl::executionPhaseFromString(phase))
    return errorResponse(400, "phase: unknown phase '" + phase + "' (Pending, Executing, Stopping, Stopped, Failed, Succeeded)");
  auto all = b.executions(ns);
  if (!all.ok()) return clusterError(all.error(), "executions in namespace '" + ns + "'");
  value items = value::array();
  size_t i = 0;
  for (const auto& x : *all) {
    value s = executionSummary(x);
    if (!pipeline.empty() && s.at("pipeline").as_string() != pipeline) continue;
    if (!phase.empty() && s.at("phase").as_string() != phase) continue;
    items[i++] = s;
  }
  value body = value::object();
  body["items"] = items;
  return json(200, body);
}

HttpResponse listPipelines(Backend& b, const std::string& ns) {
  auto pipelines = b.pipelines(ns);
  if (!pipelines.ok()) return clusterError(pipelines.error(), "pipelines in namespace '" + ns + "'");
  auto executions = b.executions(ns);
  if (!executions.ok()) return clusterError(executions.error(), "executions in namespace '" + ns + "'");
  std::map<std::string, size_t> counts;
  for (const auto& x : *executions) ++counts[stringAt(x, {"spec", "pipelineRef", "name"})];
  std::vector<value> sorted = *pipelines;
  std::sort(sorted.begin(), sorted.end(), [](const value& a, const value& c) {
    return stringAt(a, {"metadata", "name"}) < stringAt(c, {"metadata", "name"});
  });
  value items = value::array();
  for (size_t i = 0; i < sorted.size(); ++i)
    items[i] = pipelineSummary(sorted[i], counts[stringAt(sorted[i], {"metadata", "name"})]);
  value body = value::object();
  body["items"] = items;
  return json(200, body);
}

HttpResponse getExecution(Backend& b, const std::string& ns, const std::string& name) {
  auto x = b.execution(ns, name);
  if (!x.ok()) return clusterError(x.error(), executionWhat(ns, name));
  // Both extras are best-effort: the page still draws without them.
  auto live = b.pipeline(ns, stringAt(*x, {"spec", "pipelineRef", "name"}));
  const std::string sourceName = sourceExecutionOf(*x);
  std::optional<value> source;
  if (!sourceName.empty()) {
    auto s = b.execution(ns, sourceName);
    if (s.ok()) source = *s;
  }
  return json(200, executionDetail(*x, live.ok() ? &*live : nullptr, source ? &*source : nullptr));
}

HttpResponse stepLogs(Backend& b, const std::string& ns, const std::string& execution, const std::string& step,
                      const HttpRequest& req) {
  int tail = 50;
  if (!req.param("tail").empty()) {
    try {
      size_t used = 0;
      tail = std::stoi(req.param("tail"), &used);
      if (used != req.param("tail").size() || tail < 1 || tail > kMaxLogTail) throw std::invalid_argument("tail");
    } catch (const std::exception&) {
      return errorResponse(400, "tail: a whole number from 1 to " + std::to_string(kMaxLogTail));
    }
  }
  auto pods = b.podsOf(ns, execution);
  if (!pods.ok()) return clusterError(pods.error(), "pods of " + executionWhat(ns, execution));
  // The newest attempt's pod.
  const value* newest = nullptr;
  for (const auto& p : *pods) {
    if (stringAt(p, {"metadata", "labels", "sluice.dev/step"}) != step) continue;
    if (!newest || stringAt(p, {"metadata", "creationTimestamp"}) >= stringAt(*newest, {"metadata", "creationTimestamp"}))
      newest = &p;
  }
  value body = value::object();
  body["pod"] = value::null();
  body["lines"] = value::array();
  if (!newest) return json(200, body);
  const std::string pod = stringAt(*newest, {"metadata", "name"});
  body["pod"] = value::string(pod);
  auto text = b.podLog(ns, pod, tail);
  if (!text.ok()) {
    body["error"] = value::string(cli::describeError(text.error(), "the log of pod '" + pod + "'"));
    return json(200, body);
  }
  value lines = value::array();
  size_t i = 0, start = 0;
  const std::string& t = *text;
  while (start < t.size()) {
    size_t end = t.find('\n', start);
    if (end == std::string::npos) end = t.size();
    lines[i++] = value::string(t.substr(start, end - start));
    start = end + 1;
  }
  body["lines"] = lines;
  return json(200, body);
}

HttpResponse planOrStart(Backend& b, const std::string& ns, const HttpRequest& req, const ApiContext& ctx, bool start) {
  if (start && ctx.readOnly) return errorResponse(403, "this Sluice UI is read-only: starting executions is off");
  auto judged = judge(b, ns, req, ctx);
  if (auto* r = std::get_if<HttpResponse>(&judged)) return *r;
  const Judged& j = std::get<Judged>(judged);
  if (!start) return json(200, cli::toJson(j.preview));
  if (!j.preview.accepted) {
    value body = value::object();
    body["error"] = value::string("the run is refused (" + j.preview.reason + "): " + j.preview.message + " Nothing was created.");
    body["plan"] = cli::toJson(j.preview);
    return json(422, body);
  }
  auto created = b.createExecution(ns, j.manifest);
  if (!created.ok()) return clusterError(created.error(), "creating an execution of pipeline '" + stringAt(j.manifest, {"spec", "pipelineRef", "name"}) + "'");
  value body = value::object();
  body["name"] = value::string(stringAt(*created, {"metadata", "name"}));
  value warnings = value::array();
  for (size_t i = 0; i < j.preview.warnings.size(); ++i) warnings[i] = value::string(j.preview.warnings[i]);
  body["warnings"] = warnings;
  return json(201, body);
}

HttpResponse session(const ApiContext& ctx) {
  value body = value::object();
  body["namespace"] = value::string(ctx.defaultNamespace);
  body["context"] = value::string(ctx.context);
  body["readOnly"] = value::boolean(ctx.readOnly);
  body["csrfToken"] = value::string(ctx.csrfToken);
  return json(200, body);
}

}  // namespace

bool isObjectName(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '-' || c == '.'; });
}

bool isStepName(const std::string& s) {
  return !s.empty() && s.size() <= 63 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string watchNamespace(const HttpRequest& request) {
  const auto seg = pathSegments(request.path);
  if (request.method == "GET" && seg.size() == 4 && seg[0] == "api" && seg[1] == "namespaces" && seg[3] == "watch" &&
      isObjectName(seg[2]))
    return seg[2];
  return "";
}

std::string serverSentEvent(const ExecutionChange& change) {
  value data = value::object();
  data["type"] = value::string(change.type);
  data["name"] = value::string(stringAt(change.object, {"metadata", "name"}));
  data["pipeline"] = value::string(stringAt(change.object, {"spec", "pipelineRef", "name"}));
  const std::string phase = stringAt(change.object, {"status", "phase"});
  data["phase"] = value::string(phase.empty() ? "Pending" : phase);
  return "event: execution\ndata: " + data.serialize() + "\n\n";
}

HttpResponse handleApi(Backend& b, const HttpRequest& req, const ApiContext& ctx) {
  const auto seg = pathSegments(req.path);
  const bool get = req.method == "GET", post = req.method == "POST";
  if (seg.size() == 2 && seg[1] == "session" && get) return session(ctx);
  if (seg.size() < 4 || seg[0] != "api" || seg[1] != "namespaces") return errorResponse(404, "no such API path: " + req.path);
  const std::string& ns = seg[2];
  if (!isObjectName(ns)) return errorResponse(400, "namespace: '" + ns + "' is not a namespace name");
  const std::string& what = seg[3];
  if (seg.size() == 4 && what == "pipelines" && get) return listPipelines(b, ns);
  if (seg.size() == 4 && what == "executions" && get) return listExecutions(b, ns, req);
  if (seg.size() == 4 && what == "executions" && post) return planOrStart(b, ns, req, ctx, true);
  if (seg.size() == 4 && what == "plan" && post) return planOrStart(b, ns, req, ctx, false);
  if (what == "executions" && seg.size() >= 5) {
    const std::string& name = seg[4];
    if (!isObjectName(name)) return errorResponse(400, "execution: '" + name + "' is not an execution name");
    if (seg.size() == 5 && get) return getExecution(b, ns, name);
    if (seg.size() == 6 && seg[5] == "stop" && post) {
      if (ctx.readOnly) return errorResponse(403, "this Sluice UI is read-only: stopping executions is off");
      auto r = b.stopExecution(ns, name);
      if (!r.ok()) return clusterError(r.error(), executionWhat(ns, name));
      value body = value::object();
      body["name"] = value::string(name);
      return json(200, body);
    }
    if (seg.size() == 8 && seg[5] == "steps" && seg[7] == "logs" && get) {
      if (!isStepName(seg[6])) return errorResponse(400, "step: '" + seg[6] + "' is not a step name");
      return stepLogs(b, ns, name, seg[6], req);
    }
  }
  const bool known = what == "pipelines" || what == "executions" || what == "plan" || what == "watch";
  return errorResponse(known ? 405 : 404, "no " + req.method + " route for " + req.path);
}

}  // namespace sluice::ui

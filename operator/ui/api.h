// The web view's JSON API: routing, input checks and the handlers, over a
// Backend. Pure given the backend, so every route is unit-tested.
//
//   GET  /api/session
//   GET  /api/namespaces/NS/pipelines
//   GET  /api/namespaces/NS/executions[?pipeline=P&phase=PHASE]
//   GET  /api/namespaces/NS/executions/NAME
//   GET  /api/namespaces/NS/executions/NAME/steps/STEP/logs[?tail=N]
//   POST /api/namespaces/NS/plan                     RunBody -> plan JSON (writes nothing)
//   POST /api/namespaces/NS/executions               RunBody -> 201 {name}; refused -> 422 + plan
//   POST /api/namespaces/NS/executions/NAME/stop
//   GET  /api/namespaces/NS/watch                    server-sent events (the server streams it)
//
// RunBody: {"pipeline", "source", "selectedSteps", "fromSteps", "fromFailure",
// "allowStaleReuse", "parameters": {NAME: VALUE}}. The plan and the start
// are judged by the operator's own planner (cli/plan_preview.h), exactly as
// `kubectl sluice plan` / `start` judge them; a refused run creates nothing.
#pragma once

#include <functional>
#include <string>

#include "pipeline/plan_time.h"
#include "ui/backend.h"
#include "ui/http_types.h"

namespace sluice::ui {

struct ApiContext {
  std::string defaultNamespace;
  std::string context;  // the kubeconfig context, for the page's header ("" in-cluster)
  bool readOnly = false;
  std::string csrfToken;  // for this caller
  std::function<pipeline::UnixSeconds()> now;
};

HttpResponse handleApi(Backend& backend, const HttpRequest& request, const ApiContext& context);

// The namespace of a watch request (GET /api/namespaces/NS/watch), or "".
std::string watchNamespace(const HttpRequest& request);

// One server-sent event for a change: "event: execution\ndata: {type, name,
// pipeline, phase}\n\n".
std::string serverSentEvent(const ExecutionChange& change);

// Kubernetes object names (RFC 1123 subdomain) and step names ([A-Za-z0-9_-]).
bool isObjectName(const std::string& s);
bool isStepName(const std::string& s);

}  // namespace sluice::ui

#include "plan_render.h"

namespace sluice::pipeline {

namespace {

const StepStatus* findStep(const ExecutionStatus& st, const std::string& name) {
  for (const auto& s : st.steps)
    if (s.name == name) return &s;
  return nullptr;
}

struct Renderer {
  const RefResolver& resolve;
  std::string error;

  // Renders text into out; the first failure is kept in error.
  bool operator()(const std::string& field, const std::string& text, std::string& out) {
    if (!error.empty()) return false;
    auto r = renderString(text, resolve);
    if (auto* e = std::get_if<ExprError>(&r)) {
      error = field + ": " + e->message;
      return false;
    }
    out = std::get<std::string>(r);
    return true;
  }
};

}  // namespace

RefResolver makeResolver(const RenderScope& scope) {
  return [scope](const ExprRef& r) -> std::optional<std::string> {
    const ExecutionStatus& st = *scope.status;
    switch (r.kind) {
      case RefKind::Param:
        for (const auto& p : st.parameters)
          if (p.name == r.name) return p.value;
        return std::nullopt;
      case RefKind::StepOutput:
      case RefKind::StepProperty: {
        const StepStatus* s = findStep(st, r.step);
        if (!s || s->phase != StepPhase::Succeeded) return std::nullopt;
        if (r.kind == RefKind::StepOutput) {
          for (const auto& o : s->outputs)
            if (o.name == r.name) return o.uri;
        } else {
          for (const auto& p : s->properties)
            if (p.name == r.name) return p.value;
        }
        return std::nullopt;
      }
      case RefKind::ExecutionName: return scope.execution->metadata.name;
      case RefKind::ExecutionUid: return scope.execution->metadata.uid;
      case RefKind::ExecutionStartTime: return st.startTime.value_or("");
      case RefKind::PipelineName: return scope.execution->spec.pipelineRef;
    }
    return std::nullopt;
  };
}

std::string outputUri(const std::optional<ArtifactStore>& store, const std::string& ns, const std::string& pipeline,
                      const std::string& execution, const std::string& step, const std::string& output) {
  if (!store || !store->s3) return "";
  std::string uri = "s3://" + store->s3->bucket + "/";
  std::string prefix = store->s3->prefix;
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(prefix.begin());
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (!prefix.empty()) uri += prefix + "/";
  return uri + ns + "/" + pipeline + "/" + execution + "/" + step + "/" + output + "/";
}

std::variant<RenderedStep, std::string> renderContainerStep(const StepSpec& step, const RenderScope& scope,
                                                            const std::optional<ArtifactStore>& store) {
  if (!step.container) return std::string("container: missing");
  const ContainerSpec& c = *step.container;
  const RefResolver resolve = makeResolver(scope);
  Renderer render{resolve, {}};
  RenderedStep r;
  render("container.image", c.image, r.image);
  r.command.resize(c.command.size());
  for (size_t i = 0; i < c.command.size(); ++i)
    render("container.command[" + std::to_string(i) + "]", c.command[i], r.command[i]);
  r.args.resize(c.args.size());
  for (size_t i = 0; i < c.args.size(); ++i) render("container.args[" + std::to_string(i) + "]", c.args[i], r.args[i]);
  for (size_t i = 0; i < c.env.size(); ++i) {
    EnvVar e{c.env[i].name, ""};
    render("container.env[" + std::to_string(i) + "].value", c.env[i].value, e.value);
    r.env.push_back(std::move(e));
  }
  render("container.workingDir", c.workingDir, r.workingDir);
  r.imagePullPolicy = c.imagePullPolicy;
  for (size_t i = 0; i < step.inputs.size(); ++i) {
    RenderedInput in{step.inputs[i].name, "", step.inputs[i].path};
    render("inputs[" + std::to_string(i) + "].from", step.inputs[i].from, in.uri);
    r.inputs.push_back(std::move(in));
  }
  if (!render.error.empty()) return render.error;
  const PipelineExecution& x = *scope.execution;
  for (const auto& o : step.outputs)
    r.outputs.push_back({o.name, outputUri(store, x.metadata.namespace_, x.spec.pipelineRef, x.metadata.name,
                                           step.name, o.name),
                         std::nullopt, ""});
  return r;
}

}  // namespace sluice::pipeline

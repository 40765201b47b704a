#include "job_spec.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "cache_key.h"
#include "duration.h"

namespace sluice::pipeline {

namespace {

using web::json::value;

constexpr size_t kMaxName = 63;
constexpr size_t kHashLen = 8;
constexpr size_t kMinStepPart = 20;

// Lowercase alphanumerics and '-', no leading/trailing '-'.
std::string dnsPart(const std::string& s) {
  std::string out;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
  }
  return out;
}

std::string trimDashes(std::string s) {
  while (!s.empty() && s.back() == '-') s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == '-') ++i;
  return s.substr(i);
}

value str(const std::string& s) { return value::string(s); }

value stringArray(const std::vector<std::string>& xs) {
  auto a = value::array(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) a[i] = str(xs[i]);
  return a;
}

// The kubelet expands $(VAR) in a container's command, args and env values
// from that container's environment, and turns $$ into $. Everything the
// planner writes there is final text (rendered, never given to a shell), so
// every $ is doubled: a parameter "$(AWS_SECRET_ACCESS_KEY)" must reach the
// program as those characters, not as the secret the environment holds.
std::string kubeletLiteral(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

value literalArray(const std::vector<std::string>& xs) {
  auto a = value::array(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) a[i] = str(kubeletLiteral(xs[i]));
  return a;
}

value envVar(const std::string& name, const std::string& v) {
  value e = value::object();
  e["name"] = str(name);
  e["value"] = str(kubeletLiteral(v));
  return e;
}

value secretEnv(const std::string& name, const std::string& secret, const std::string& key) {
  value ref = value::object();
  ref["name"] = str(secret);
  ref["key"] = str(key);
  value from = value::object();
  from["secretKeyRef"] = ref;
  value e = value::object();
  e["name"] = str(name);
  e["valueFrom"] = from;
  return e;
}

value labels(const JobOwner& o, const std::string& step) {
  value l = value::object();
  l["sluice.dev/pipeline"] = str(labelValue(o.pipelineName));
  l["sluice.dev/execution"] = str(labelValue(o.executionName));
  l["sluice.dev/step"] = str(labelValue(step));
  return l;
}

// What sluice-runner needs to stage the step: input URIs to download to
// paths, outputs to upload from paths to URIs, properties to extract, and
// the store to talk to (credentials come separately via secretKeyRef).
value stagingSpec(const StepSpec& step, const RenderedStep& r, const std::optional<ArtifactStore>& store) {
  value spec = value::object();
  value ins = value::array(r.inputs.size());
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    value e = value::object();
    e["name"] = str(r.inputs[i].name);
    e["uri"] = str(r.inputs[i].uri);
    e["path"] = str(r.inputs[i].path);
    ins[i] = e;
  }
  spec["inputs"] = ins;
  value outs = value::array(step.outputs.size());
  for (size_t i = 0; i < step.outputs.size(); ++i) {
    value e = value::object();
    e["name"] = str(step.outputs[i].name);
    e["path"] = str(step.outputs[i].path);
    e["uri"] = str(i < r.outputs.size() ? r.outputs[i].uri : "");
    outs[i] = e;
  }
  spec["outputs"] = outs;
  value props = value::array(step.properties.size());
  for (size_t i = 0; i < step.properties.size(); ++i) {
    value e = value::object();
    e["name"] = str(step.properties[i].name);
    e["file"] = str(step.properties[i].file);
    e["jsonPath"] = str(step.properties[i].jsonPath);
    props[i] = e;
  }
  spec["properties"] = props;
  if (store && store->s3) {
    const S3Store& s3 = *store->s3;
    value st = value::object();
    // The runner needs an endpoint; no endpoint means AWS itself.
    st["endpoint"] = str(!s3.endpoint.empty() ? s3.endpoint : "https://s3." + s3.region + ".amazonaws.com");
    st["region"] = str(s3.region);
    st["forcePathStyle"] = value::boolean(s3.forcePathStyle);
    spec["store"] = st;
  }
  return spec;
}

constexpr const char* kRunnerBinDir = "/sluice/bin";

// The runner's binary, and one emptyDir sub-directory per input/output
// path so staged data does not land in the image's filesystem.
value runnerMounts(const StepSpec& step, const RenderedStep& r) {
  std::vector<value> mounts;
  value bin = value::object();
  bin["name"] = str("sluice-bin");
  bin["mountPath"] = str(kRunnerBinDir);
  mounts.push_back(bin);
  std::set<std::string> paths{kRunnerBinDir};
  auto add = [&](const std::string& path, const std::string& sub) {
    if (path.empty() || !paths.insert(path).second) return;
    value m = value::object();
    m["name"] = str("sluice-data");
    m["mountPath"] = str(path);
    m["subPath"] = str(sub);
    mounts.push_back(m);
  };
  for (const auto& i : r.inputs) add(i.path, "inputs/" + i.name);
  for (const auto& o : step.outputs) add(o.path, "outputs/" + o.name);
  return value::array(mounts);
}

std::variant<value, std::string> parseJson(const std::string& text, const char* what, bool wantArray) {
  try {
    value v = value::parse(text);
    if (wantArray ? !v.is_array() : !v.is_object())
      return std::string(what) + " must be a JSON " + (wantArray ? "array" : "object");
    return v;
  } catch (const std::exception&) {
    return std::string(what) + " is not valid JSON";
  }
}

}  // namespace

std::string labelValue(const std::string& s) {
  std::string out;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += (std::isalnum(u) || c == '-' || c == '_' || c == '.') ? c : '-';
  }
  if (out.size() > kMaxName) out.resize(kMaxName);
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  while (!out.empty() && !alnum(out.back())) out.pop_back();
  size_t i = 0;
  while (i < out.size() && !alnum(out[i])) ++i;
  return out.substr(i);
}

std::string jobName(const std::string& executionName, const std::string& executionUid, const std::string& step) {
  const std::string hash = sha256Hex(executionName + "\n" + executionUid + "\n" + step).substr(0, kHashLen);
  std::string exec = trimDashes(dnsPart(executionName));
  std::string stepPart = trimDashes(dnsPart(step));
  const size_t budget = kMaxName - kHashLen - 1;  // room for "EXEC-STEP"
  if (exec.size() + 1 + stepPart.size() > budget) {
    // Keep a readable piece of the step; the execution gets the rest.
    if (stepPart.size() > kMinStepPart) stepPart = trimDashes(stepPart.substr(0, kMinStepPart));
    if (exec.size() + 1 + stepPart.size() > budget) exec = trimDashes(exec.substr(0, budget - 1 - stepPart.size()));
  }
  std::string name;
  for (const auto& part : {exec, stepPart})
    if (!part.empty()) name += part + "-";
  return name + hash;
}

namespace {
std::string upperEnv(const std::string& prefix, const std::string& name) {
  std::string out = prefix;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::toupper(u)) : '_';
  }
  return out;
}
}  // namespace

std::string outputEnvName(const std::string& n) { return upperEnv("SLUICE_OUTPUT_", n); }
std::string inputEnvName(const std::string& n) { return upperEnv("SLUICE_INPUT_", n); }

int effectiveMaxAttempts(const StepSpec& step, const StepDefaults& defaults) {
  const int n = step.retry ? step.retry->maxAttempts : defaults.retry.maxAttempts;
  return std::clamp(n, 1, 20);
}

std::variant<value, std::string> buildJobManifest(const JobOwner& owner, const StepSpec& step,
                                                  const StepDefaults& defaults,
                                                  const std::optional<ArtifactStore>& store,
                                                  const RenderedStep& r, const PlanOptions& options) {
  const std::string name = jobName(owner.executionName, owner.executionUid, step.name);

  // --- container ---
  value container = value::object();
  container["name"] = str("main");
  container["image"] = str(r.image);
  const bool wrapped = !options.runnerImage.empty() && !r.command.empty();
  const bool needsStaging = !step.inputs.empty() || !step.outputs.empty() || !step.properties.empty();
  if (!options.runnerImage.empty() && r.command.empty() && needsStaging)
    return std::string("container.command is required when a step has inputs, outputs or properties "
                       "(sluice-runner runs the command; it cannot know the image's entrypoint)");
  if (wrapped) {
    // Through the loader `sluice-runner init` copied beside it (ld.so, see
    // operator/runner/runner_init.h): the runner then takes glibc from its
    // own lib/, never from the step's image, which may have an older one,
    // another libc or none.
    container["command"] = stringArray({kRunnerBinDir + std::string("/ld.so"),
                                        kRunnerBinDir + std::string("/sluice-runner"), "exec", "--"});
    std::vector<std::string> argv = r.command;
    argv.insert(argv.end(), r.args.begin(), r.args.end());
    container["args"] = literalArray(argv);
    container["volumeMounts"] = runnerMounts(step, r);
  } else {
    if (!r.command.empty()) container["command"] = literalArray(r.command);
    if (!r.args.empty()) container["args"] = literalArray(r.args);
  }
  if (!r.workingDir.empty()) container["workingDir"] = str(r.workingDir);
  if (!r.imagePullPolicy.empty()) container["imagePullPolicy"] = str(r.imagePullPolicy);
  container["terminationMessagePolicy"] = str("File");

  std::vector<value> env;
  for (const auto& e : r.env) env.push_back(envVar(e.name, e.value));
  for (const auto& o : r.outputs) env.push_back(envVar(outputEnvName(o.name), o.uri));
  for (const auto& i : r.inputs) env.push_back(envVar(inputEnvName(i.name), i.uri));
  env.push_back(envVar("SLUICE_STAGING", stagingSpec(step, r, store).serialize()));
  if (store && store->s3 && store->s3->credentialsSecret) {
    const SecretRef& s = *store->s3->credentialsSecret;
    env.push_back(secretEnv("AWS_ACCESS_KEY_ID", s.name, s.accessKeyIdKey));
    env.push_back(secretEnv("AWS_SECRET_ACCESS_KEY", s.name, s.secretAccessKeyKey));
    value token = secretEnv("AWS_SESSION_TOKEN", s.name, "AWS_SESSION_TOKEN");
    token["valueFrom"]["secretKeyRef"]["optional"] = value::boolean(true);
    env.push_back(token);
  }
  container["env"] = value::array(env);

  // --- resources: requests = limits so a step gets what it asked for ---
  const Resources& res = step.resources;
  value amounts = value::object();
  if (!res.cpu.empty()) amounts["cpu"] = str(res.cpu);
  if (!res.memory.empty()) amounts["memory"] = str(res.memory);
  if (!res.ephemeralStorage.empty()) amounts["ephemeral-storage"] = str(res.ephemeralStorage);
  value limits = amounts;
  if (res.gpu > 0) limits[options.gpuResourceName] = str(std::to_string(res.gpu));
  if (amounts.size() > 0 || res.gpu > 0) {
    value resources = value::object();
    if (amounts.size() > 0) resources["requests"] = amounts;
    resources["limits"] = limits;
    container["resources"] = resources;
  }

  // --- pod ---
  value pod = value::object();
  pod["restartPolicy"] = str("Never");
  const std::string sa = step.serviceAccountName ? *step.serviceAccountName : defaults.serviceAccountName;
  if (!sa.empty()) {
    pod["serviceAccountName"] = str(sa);
  } else {
    // Steps need no Kubernetes API; without a ServiceAccount chosen for them
    // they would run as "default" with its token mounted, for nothing.
    pod["automountServiceAccountToken"] = value::boolean(false);
  }
  if (!step.pod.nodeSelector.empty()) {
    value ns = value::object();
    for (const auto& [k, v] : step.pod.nodeSelector) ns[k] = str(v);
    pod["nodeSelector"] = ns;
  }
  std::vector<value> tolerations;
  if (!step.pod.tolerationsJson.empty()) {
    auto parsed = parseJson(step.pod.tolerationsJson, "tolerations", true);
    if (auto* err = std::get_if<std::string>(&parsed)) return *err;
    for (const auto& t : std::get<value>(parsed).as_array()) tolerations.push_back(t);
  }
  if (res.gpu > 0) {
    value t = value::object();
    t["key"] = str(options.gpuTaintKey);
    t["operator"] = str("Exists");
    t["effect"] = str("NoSchedule");
    tolerations.push_back(t);
  }
  if (!tolerations.empty()) pod["tolerations"] = value::array(tolerations);
  if (!step.pod.affinityJson.empty()) {
    auto parsed = parseJson(step.pod.affinityJson, "affinity", false);
    if (auto* err = std::get_if<std::string>(&parsed)) return *err;
    pod["affinity"] = std::get<value>(parsed);
  }
  pod["containers"] = value::array({container});
  if (wrapped) {
    value init = value::object();
    init["name"] = str("sluice-init");
    init["image"] = str(options.runnerImage);
    init["command"] = stringArray({"/sluice-runner", "init", kRunnerBinDir});
    value binMount = value::object();
    binMount["name"] = str("sluice-bin");
    binMount["mountPath"] = str(kRunnerBinDir);
    init["volumeMounts"] = value::array({binMount});
    pod["initContainers"] = value::array({init});
    value bin = value::object(), data = value::object();
    bin["name"] = str("sluice-bin");
    bin["emptyDir"] = value::object();
    data["name"] = str("sluice-data");
    data["emptyDir"] = value::object();
    pod["volumes"] = value::array({bin, data});
  }

  value templateMeta = value::object();
  templateMeta["labels"] = labels(owner, step.name);
  value podTemplate = value::object();
  podTemplate["metadata"] = templateMeta;
  podTemplate["spec"] = pod;

  // --- job ---
  value jobSpec = value::object();
  jobSpec["backoffLimit"] = value::number(effectiveMaxAttempts(step, defaults) - 1);
  if (step.timeout) {
    auto secs = parseGoDuration(*step.timeout);
    if (auto* err = std::get_if<std::string>(&secs)) return "timeout \"" + *step.timeout + "\": " + *err;
    if (std::get<int64_t>(secs) <= 0) return "timeout \"" + *step.timeout + "\": must be longer than zero";
    jobSpec["activeDeadlineSeconds"] = value::number(std::get<int64_t>(secs));
  }
  jobSpec["template"] = podTemplate;

  value ownerRef = value::object();
  ownerRef["apiVersion"] = str("sluice.dev/v1alpha1");
  ownerRef["kind"] = str("PipelineExecution");
  ownerRef["name"] = str(owner.executionName);
  ownerRef["uid"] = str(owner.executionUid);
  ownerRef["controller"] = value::boolean(true);
  ownerRef["blockOwnerDeletion"] = value::boolean(true);

  value annotations = value::object();
  // Label values are capped at 63 characters; step names may have 64.
  annotations["sluice.dev/step"] = str(step.name);
  // Without sluice-runner there is no termination message to read: the
  // step's result is its exit code alone.
  if (!wrapped) annotations["sluice.dev/runner"] = str("none");

  value meta = value::object();
  meta["name"] = str(name);
  meta["namespace"] = str(owner.namespace_);
  meta["labels"] = labels(owner, step.name);
  meta["annotations"] = annotations;
  meta["ownerReferences"] = value::array({ownerRef});

  value job = value::object();
  job["apiVersion"] = str("batch/v1");
  job["kind"] = str("Job");
  job["metadata"] = meta;
  job["spec"] = jobSpec;
  return job;
}

}  // namespace sluice::pipeline

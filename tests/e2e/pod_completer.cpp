// sluice-test-pod-completer: finishes the pods of Sluice steps on a kwok
// cluster the way sluice-runner would inside a real container.
//
// kwok plays the kubelet (binds, starts, deletes pods) but runs no
// containers, so nothing writes the termination message in which
// sluice-runner reports a step's outputs and properties. This program
// watches Running pods labelled sluice.dev/execution and sets them
// Succeeded (or Failed) with exactly that message: the output URIs from the
// pod's SLUICE_STAGING spec, and the properties given on the command line.
// Used by the e2e tests and by `make demo`; talks only to the API server.
//
//   sluice-test-pod-completer --kubeconfig F --namespace NS
//       [--property STEP.NAME=VALUE]... [--fail STEP=EXITCODE]...
//       [--hold-on-node NODE]... [--hold-once STEP]...
// --hold-on-node leaves pods bound to NODE Running (the node-deleted fault
// case); --hold-once leaves the first pod of STEP Running and completes the
// pods made for it later (the pod-deleted case).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "kube/client.h"
#include "kube/config.h"
#include "controller/json_access.h"
#include "pipeline/plan_time.h"

using web::json::value;

namespace {

using sluice::controller::stringAt;

std::atomic<bool> gStop{false};

struct Script {
  std::map<std::string, std::map<std::string, std::string>> properties;  // step -> name -> value
  std::map<std::string, int> exitCodes;                                  // step -> code
  std::set<std::string> holdOnNodes;                                     // pods there stay Running
  std::set<std::string> holdOnce;                                        // steps whose first pod stays Running
  std::map<std::string, std::string> heldPod;                            // step -> its held first pod
};

std::string message(const value& pod, const std::string& step, const Script& script, int exitCode) {
  value msg = value::object();
  msg["exitCode"] = value::number(exitCode);
  if (exitCode != 0) {
    msg["error"] = value::string("exit code " + std::to_string(exitCode));
    return msg.serialize();
  }
  std::vector<value> outputs;
  for (const auto& c : pod.at("spec").at("containers").as_array()) {
    if (!c.has_field("env")) continue;
    for (const auto& e : c.at("env").as_array()) {
      if (stringAt(e, {"name"}) != "SLUICE_STAGING") continue;
      value staging = value::parse(stringAt(e, {"value"}));
      if (!staging.has_field("outputs")) continue;
      for (const auto& o : staging.at("outputs").as_array()) {
        value out;
        out["name"] = o.at("name");
        out["uri"] = o.at("uri");
        out["size"] = value::number(0);
        out["sha256"] = value::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        outputs.push_back(out);
      }
    }
  }
  msg["outputs"] = value::array(outputs);
  std::vector<value> props;
  auto it = script.properties.find(step);
  if (it != script.properties.end()) {
    for (const auto& [k, v] : it->second) {
      value p;
      p["name"] = value::string(k);
      p["value"] = value::string(v);
      props.push_back(p);
    }
  }
  msg["properties"] = value::array(props);
  return msg.serialize();
}

bool parseArgs(int argc, char** argv, std::string& kubeconfig, std::string& ns, Script& script) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], v = argv[i + 1];
    if (flag == "--kubeconfig") {
      kubeconfig = v;
    } else if (flag == "--namespace") {
      ns = v;
    } else if (flag == "--property") {
      auto dot = v.find('.'), eq = v.find('=');
      if (dot == std::string::npos || eq == std::string::npos || eq < dot) return false;
      script.properties[v.substr(0, dot)][v.substr(dot + 1, eq - dot - 1)] = v.substr(eq + 1);
    } else if (flag == "--fail") {
      auto eq = v.find('=');
      if (eq == std::string::npos) return false;
      script.exitCodes[v.substr(0, eq)] = std::stoi(v.substr(eq + 1));
    } else if (flag == "--hold-on-node") {
      script.holdOnNodes.insert(v);
    } else if (flag == "--hold-once") {
      script.holdOnce.insert(v);
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && !kubeconfig.empty() && !ns.empty();
}

}  // namespace

int main(int argc, char** argv) {
  std::string kubeconfig, ns;
  Script script;
  if (!parseArgs(argc, argv, kubeconfig, ns, script)) {
    std::fprintf(stderr,
                 "usage: %s --kubeconfig F --namespace NS [--property STEP.NAME=VALUE]... [--fail STEP=CODE]...\n"
                 "       [--hold-on-node NODE]... [--hold-once STEP]...\n",
                 argv[0]);
    return 2;
  }
  signal(SIGTERM, [](int) { gStop = true; });
  signal(SIGINT, [](int) { gStop = true; });
  auto config = sluice::kube::load_kubeconfig(kubeconfig);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.error().to_string().c_str());
    return 2;
  }
  auto client = sluice::kube::Client::create(std::move(config).value());
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", client.error().to_string().c_str());
    return 2;
  }
  std::set<std::string> done;
  while (!gStop) {
    sluice::kube::ListOptions opts;
    opts.label_selector = "sluice.dev/execution";
    auto pods = client.value()->list(sluice::kube::resources::pods(), ns, opts);
    if (pods.ok()) {
      for (value pod : pods->items) {
        const std::string name = stringAt(pod, {"metadata", "name"});
        if (done.count(name) || stringAt(pod, {"status", "phase"}) != "Running") continue;
        if (!stringAt(pod, {"metadata", "deletionTimestamp"}).empty()) continue;
        const std::string step = stringAt(pod, {"metadata", "annotations", "sluice.dev/step"}).empty()
                                     ? stringAt(pod, {"metadata", "labels", "sluice.dev/step"})
                                     : stringAt(pod, {"metadata", "annotations", "sluice.dev/step"});
        if (script.holdOnNodes.count(stringAt(pod, {"spec", "nodeName"}))) continue;
        if (script.holdOnce.count(step)) {
          auto held = script.heldPod.emplace(step, name).first;
          if (held->second == name) continue;
        }
        int code = script.exitCodes.count(step) ? script.exitCodes[step] : 0;
        const std::string now = sluice::pipeline::formatRfc3339(std::time(nullptr));
        value statuses = value::array();
        size_t i = 0;
        for (const auto& c : pod.at("spec").at("containers").as_array()) {
          value cs;
          cs["name"] = c.at("name");
          cs["image"] = c.at("image");
          cs["imageID"] = value::string("");
          cs["ready"] = value::boolean(false);
          cs["restartCount"] = value::number(0);
          cs["started"] = value::boolean(false);
          value& t = cs["state"]["terminated"];
          t["exitCode"] = value::number(code);
          t["reason"] = value::string(code == 0 ? "Completed" : "Error");
          t["startedAt"] = value::string(now);
          t["finishedAt"] = value::string(now);
          if (stringAt(c, {"name"}) == "main") t["message"] = value::string(message(pod, step, script, code));
          statuses[i++] = cs;
        }
        pod["status"]["containerStatuses"] = statuses;
        pod["status"]["phase"] = value::string(code == 0 ? "Succeeded" : "Failed");
        auto r = client.value()->update_status(sluice::kube::resources::pods(), ns, pod);
        if (r.ok()) {
          done.insert(name);
          std::printf("completed pod %s (step %s, exit %d)\n", name.c_str(), step.c_str(), code);
          std::fflush(stdout);
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

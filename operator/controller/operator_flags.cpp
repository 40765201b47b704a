#include "operator_flags.h"

#include <functional>
#include <map>

#include "common/log.h"

namespace sluice::controller {

namespace {

bool parseInt(const std::string& s, int& out) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::stoi(s);
  return true;
}

bool parseDouble(const std::string& s, double& out) {
  try {
    size_t used = 0;
    out = std::stod(s, &used);
    return used == s.size();
  } catch (const std::exception&) {
    return false;
  }
}

// A namespace name is a DNS-1123 label.
bool isDnsLabel(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  if (s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) return false;
  return s.front() != '-' && s.back() != '-';
}

// "0", "N ms" or "N s" as 250ms / 2s, to milliseconds.
bool parseMillis(const std::string& s, int& out) {
  if (s == "0") {
    out = 0;
    return true;
  }
  const bool ms = s.size() > 2 && s.compare(s.size() - 2, 2, "ms") == 0;
  const bool sec = !ms && s.size() > 1 && s.back() == 's';
  if (!ms && !sec) return false;
  int n = 0;
  if (!parseInt(s.substr(0, s.size() - (ms ? 2 : 1)), n)) return false;
  if (sec && n > 1000000) return false;
  out = sec ? n * 1000 : n;
  return true;
}

bool parseBool(const std::string& s, bool& out) {
  if (s == "true" || s == "1") out = true;
  else if (s == "false" || s == "0") out = false;
  else return false;
  return true;
}

}  // namespace

FlagsResult parseOperatorFlags(const std::vector<std::string>& args) {
  FlagsResult r;
  OperatorFlags& f = r.flags;
  using Setter = std::function<std::string(const std::string&)>;  // returns error text
  auto str = [](std::string& dst) -> Setter {
    return [&dst](const std::string& v) { dst = v; return std::string(); };
  };
  auto positive = [](int& dst, int max) -> Setter {
    return [&dst, max](const std::string& v) {
      int n = 0;
      if (!parseInt(v, n) || n < 1 || n > max) return "must be an integer from 1 to " + std::to_string(max);
      dst = n;
      return std::string();
    };
  };
  std::map<std::string, Setter> valued = {
      {"kubeconfig", str(f.kubeconfig)},
      {"context", str(f.context)},
      {"namespace",
       [&f](const std::string& v) {
         // Comma-separated; repeating the flag adds more. An empty value
         // keeps the default, all namespaces.
         if (v.empty()) return std::string();
         size_t start = 0;
         while (true) {
           size_t comma = v.find(',', start);
           std::string ns = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
           if (!isDnsLabel(ns))
             return "\"" + ns + "\" is not a namespace name (lowercase letters, digits and '-', at most 63)";
           for (const auto& seen : f.namespaces)
             if (seen == ns) return "namespace \"" + ns + "\" is listed twice";
           f.namespaces.push_back(ns);
           if (comma == std::string::npos) return std::string();
           start = comma + 1;
         }
       }},
      {"workers", positive(f.workers, 256)},
      {"lease-name", str(f.leaseName)},
      {"lease-namespace", str(f.leaseNamespace)},
      {"metrics-bind-address", str(f.metricsBindAddress)},
      {"health-probe-bind-address", str(f.healthProbeBindAddress)},
      {"log-level",
       [&f](const std::string& v) {
         log::Level l;
         if (!log::parseLevel(v, l)) return std::string("must be one of debug, info, warn, error");
         f.logLevel = v;
         return std::string();
       }},
      {"kube-api-qps",
       [&f](const std::string& v) {
         double q = 0;
         if (!parseDouble(v, q) || q < 0) return std::string("must be a number >= 0 (0 = unlimited)");
         f.kubeApiQps = q;
         return std::string();
       }},
      {"kube-api-burst", positive(f.kubeApiBurst, 100000)},
      {"gpu-resource-name", str(f.gpuResourceName)},
      {"runner-image", str(f.runnerImage)},
      {"status-batch-period",
       [&f](const std::string& v) {
         int ms = 0;
         if (!parseMillis(v, ms) || ms > 60000)
           return std::string("must be a duration from 0 to 60s, as 500ms or 2s (0 writes every change at once)");
         f.statusBatchPeriodMs = ms;
         return std::string();
       }},
  };
  std::map<std::string, bool*> booleans = {{"leader-elect", &f.leaderElect}, {"help", &f.help}};

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h") {
      f.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      r.error = "unexpected argument \"" + a + "\"";
      return r;
    }
    std::string name = a.substr(2), value;
    bool hasValue = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      hasValue = true;
    }
    if (auto b = booleans.find(name); b != booleans.end()) {
      if (hasValue && !parseBool(value, *b->second)) {
        r.error = "--" + name + ": must be true or false";
        return r;
      }
      if (!hasValue) *b->second = true;
      continue;
    }
    auto s = valued.find(name);
    if (s == valued.end()) {
      r.error = "unknown flag --" + name;
      return r;
    }
    if (!hasValue) {
      if (i + 1 >= args.size()) {
        r.error = "--" + name + ": needs a value";
        return r;
      }
      value = args[++i];
    }
    std::string err = s->second(value);
    if (!err.empty()) {
      r.error = "--" + name + "=" + value + ": " + err;
      return r;
    }
  }
  if (f.gpuResourceName.empty()) r.error = "--gpu-resource-name: must not be empty";
  return r;
}

std::string operatorUsage() {
  return R"(sluice-operator: runs Sluice Pipelines as Kubernetes Jobs.

Flags:
  --kubeconfig PATH                 kubeconfig file (default: in-cluster config, else $KUBECONFIG or ~/.kube/config)
  --context NAME                    kubeconfig context (default: current-context)
  --namespace NS[,NS...]            watch only these namespaces, one watch each (default: all)
  --workers N                       concurrent reconciles (default 4)
  --leader-elect                    run only while holding the Lease (for replicas > 1)
  --lease-name NAME                 Lease name (default sluice-operator)
  --lease-namespace NS              Lease namespace (default: the pod's namespace)
  --metrics-bind-address ADDR       /metrics listen address (default :8080, "0" disables)
  --health-probe-bind-address ADDR  /healthz and /readyz listen address (default :8081, "0" disables)
  --log-level LEVEL                 debug, info, warn, error (default info)
  --kube-api-qps Q                  client-side request rate to the API server (default 50, 0 = unlimited)
  --kube-api-burst N                burst above the rate (default 100)
  --gpu-resource-name NAME          extended resource for step GPUs (default nvidia.com/gpu)
  --status-batch-period D           longest a step's progress waits to be written with the next (default 1s, 0 = at once)
  --runner-image IMAGE              image shipping /sluice-runner, which stages step inputs and outputs
                                    (default: none; steps then run without artifact staging)
)";
}

}  // namespace sluice::controller

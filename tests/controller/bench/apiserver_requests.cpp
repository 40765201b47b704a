#include "apiserver_requests.h"

#include <cstdlib>
#include <sstream>

#include "process.h"

namespace sluice::bench {

namespace {
// Value of label `name` in `{a="x",b="y"}`; "" when absent.
std::string label(const std::string& labels, const std::string& name) {
  const std::string key = name + "=\"";
  size_t p = 0;
  while ((p = labels.find(key, p)) != std::string::npos) {
    if (p == 0 || labels[p - 1] == '{' || labels[p - 1] == ',') {
      size_t start = p + key.size();
      size_t end = labels.find('"', start);
      return end == std::string::npos ? "" : labels.substr(start, end - start);
    }
    p += key.size();
  }
  return "";
}
}  // namespace

RequestCounts parseRequestTotals(const std::string& text) {
  RequestCounts out;
  std::istringstream in(text);
  std::string line;
  const std::string metric = "apiserver_request_total{";
  while (std::getline(in, line)) {
    if (line.compare(0, metric.size(), metric) != 0) continue;
    size_t close = line.rfind('}');
    if (close == std::string::npos) continue;
    const std::string labels = line.substr(metric.size() - 1, close - metric.size() + 2);
    const double v = std::strtod(line.c_str() + close + 1, nullptr);
    const std::string resource = label(labels, "resource");
    const std::string sub = label(labels, "subresource");
    std::string key = label(labels, "verb") + " ";
    if (resource.empty()) {
      key += sub.empty() ? "<other>" : (sub[0] == '/' ? sub : "/" + sub);
    } else {
      key += resource + (sub.empty() ? "" : "/" + sub);
    }
    out[key] += static_cast<long>(v);
  }
  return out;
}

RequestCounts scrapeRequestTotals(const std::string& kubectl, const std::string& kubeconfig, std::string* error) {
  std::string text;
  int rc = testing::runCommand({kubectl, "--kubeconfig", kubeconfig, "get", "--raw", "/metrics"}, &text);
  if (rc != 0) {
    if (error) *error = "kubectl get --raw /metrics exited " + std::to_string(rc) + ": " + text.substr(0, 300);
    return {};
  }
  return parseRequestTotals(text);
}

RequestCounts minus(const RequestCounts& a, const RequestCounts& b) {
  RequestCounts out = a;
  for (const auto& [k, v] : b) out[k] -= v;
  for (auto it = out.begin(); it != out.end();) {
    it = it->second == 0 ? out.erase(it) : std::next(it);
  }
  return out;
}

}  // namespace sluice::bench

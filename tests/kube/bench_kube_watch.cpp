// Benchmark (not a test): list+watch of 5,000 ConfigMaps through an Informer
// against the real API server, and create->handler event latency, next to
// the same latency seen through `kubectl get -w`. Prints figures only.
//
//   bench_kube_watch [objects=5000] [latency_samples=200]
// Needs SLUICE_TEST_KUBECONFIG (and SLUICE_TEST_KUBECTL for the kubectl
// comparison) from tests/cluster/up.sh.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

#include "kube/client.h"
#include "kube/informer.h"
#include "kube/log.h"

extern char** environ;

namespace {

using namespace sluice::kube;
using Steady = std::chrono::steady_clock;
using web::json::value;

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

value config_map(const std::string& name) {
  value cm = value::object();
  cm["apiVersion"] = value::string("v1");
  cm["kind"] = value::string("ConfigMap");
  cm["metadata"]["name"] = value::string(name);
  cm["data"]["payload"] = value::string(std::string(200, 'x'));
  return cm;
}

struct Stats {
  double median, p99, min, max, stddev;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))]; };
  double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  double var = 0;
  for (double x : v) var += (x - mean) * (x - mean);
  return {at(0.5), at(0.99), v.front(), v.back(), std::sqrt(var / v.size())};
}

void print(const char* label, const Stats& s, size_t n) {
  std::printf("%-28s n=%zu median=%.2f ms p99=%.2f ms min=%.2f ms max=%.2f ms stddev=%.2f ms\n", label, n,
              s.median, s.p99, s.min, s.max, s.stddev);
}

// Runs `kubectl get configmaps -w` (argv, no shell) and records when each
// object name first appears on its output.
class KubectlWatch {
 public:
  KubectlWatch(const std::string& kubectl, const std::string& kubeconfig, const std::string& ns) {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> args{kubectl, "--kubeconfig", kubeconfig, "get", "configmaps", "-n", ns,
                                  "--watch-only", "-o", "name"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, kubectl.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    fd_ = fds[0];
    reader_ = std::thread([this] { read_loop(); });
  }
  ~KubectlWatch() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();
    if (fd_ >= 0) close(fd_);
  }
  bool running() const { return pid_ > 0; }
  std::map<std::string, Steady::time_point> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void read_loop() {
    std::string partial;
    char buf[4096];
    for (;;) {
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) return;
      auto now = Steady::now();
      partial.append(buf, static_cast<size_t>(n));
      size_t pos;
      while ((pos = partial.find('\n')) != std::string::npos) {
        std::string line = partial.substr(0, pos);
        partial.erase(0, pos + 1);
        auto slash = line.find('/');
        std::string name = slash == std::string::npos ? line : line.substr(slash + 1);
        std::lock_guard<std::mutex> lock(mu_);
        seen_.emplace(name, now);
      }
    }
  }
  pid_t pid_ = -1;
  int fd_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::map<std::string, Steady::time_point> seen_;
};

}  // namespace

int main(int argc, char** argv) {
  const int objects = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int samples = argc > 2 ? std::atoi(argv[2]) : 200;
  const char* kubeconfig = std::getenv("SLUICE_TEST_KUBECONFIG");
  if (!kubeconfig || !*kubeconfig) {
    std::fprintf(stderr, "SLUICE_TEST_KUBECONFIG is not set (run tests/cluster/up.sh, source its env)\n");
    return 2;
  }
  set_log_sink([](LogLevel level, const std::string& m) {
    if (level >= LogLevel::Warning) std::fprintf(stderr, "kube: %s\n", m.c_str());
  });
  auto config = load_kubeconfig(kubeconfig);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.error().to_string().c_str());
    return 2;
  }
  ClientOptions options;
  options.qps = 0;  // unlimited: measure the server and the client, not the limiter
  auto client_result = Client::create(*config, options);
  if (!client_result.ok()) {
    std::fprintf(stderr, "%s\n", client_result.error().to_string().c_str());
    return 2;
  }
  auto client = *client_result;
  const auto cms = resources::config_maps();
  std::string ns = "bench-" + std::to_string(std::random_device{}() % 100000);
  value nsobj = value::object();
  nsobj["apiVersion"] = value::string("v1");
  nsobj["kind"] = value::string("Namespace");
  nsobj["metadata"]["name"] = value::string(ns);
  if (auto r = client->create(resources::namespaces(), "", nsobj); !r.ok()) {
    std::fprintf(stderr, "create namespace: %s\n", r.error().to_string().c_str());
    return 1;
  }

  // Fill.
  auto fill_start = Steady::now();
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&] {
      for (int i; (i = next++) < objects;) {
        if (!client->create(cms, ns, config_map("obj-" + std::to_string(i))).ok()) ++failed;
      }
    });
  }
  for (auto& t : writers) t.join();
  double fill_s = std::chrono::duration<double>(Steady::now() - fill_start).count();
  std::printf("created %d ConfigMaps in %.1f s (%d failed)\n", objects, fill_s, failed.load());

  // List+watch to sync.
  long rss_before = rss_kib();
  std::mutex mu;
  std::map<std::string, Steady::time_point> handled;
  Informer informer(client, cms, ns);
  informer.add_handlers({[&](const ObjectPtr& o) {
                           auto now = Steady::now();
                           std::lock_guard<std::mutex> lock(mu);
                           handled.emplace(object_name(*o), now);
                         },
                         nullptr, nullptr});
  auto sync_start = Steady::now();
  informer.start();
  if (!informer.wait_for_sync(std::chrono::minutes(5))) {
    std::fprintf(stderr, "informer did not sync\n");
    return 1;
  }
  double sync_ms = std::chrono::duration<double, std::milli>(Steady::now() - sync_start).count();
  long rss_after = rss_kib();
  std::printf("informer sync of %zu objects: %.0f ms; RSS %ld MiB before, %ld MiB after (+%ld MiB)\n",
              informer.store().size(), sync_ms, rss_before / 1024, rss_after / 1024,
              (rss_after - rss_before) / 1024);

  // Latency: one create at a time, spaced so events do not queue up.
  std::unique_ptr<KubectlWatch> kubectl;
  if (const char* k = std::getenv("SLUICE_TEST_KUBECTL"); k && *k) {
    kubectl = std::make_unique<KubectlWatch>(k, kubeconfig, ns);
    std::this_thread::sleep_for(std::chrono::seconds(2));  // let kubectl open its watch
  }
  std::map<std::string, Steady::time_point> sent;
  for (int i = 0; i < samples; ++i) {
    std::string name = "lat-" + std::to_string(i);
    auto t0 = Steady::now();
    if (!client->create(cms, ns, config_map(name)).ok()) continue;
    sent[name] = t0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));

  std::vector<double> ours, theirs;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [name, t0] : sent) {
      auto it = handled.find(name);
      if (it != handled.end()) ours.push_back(std::chrono::duration<double, std::milli>(it->second - t0).count());
    }
  }
  if (kubectl && kubectl->running()) {
    auto seen = kubectl->seen();
    for (const auto& [name, t0] : sent) {
      auto it = seen.find(name);
      if (it != seen.end()) theirs.push_back(std::chrono::duration<double, std::milli>(it->second - t0).count());
    }
  }
  if (!ours.empty()) print("create->informer handler:", stats(ours), ours.size());
  if (!theirs.empty()) print("create->kubectl get -w line:", stats(theirs), theirs.size());
  std::printf("missed by informer: %zu of %zu\n", sent.size() - ours.size(), sent.size());

  informer.stop();
  kubectl.reset();
  // Clean up: one deletecollection, then the namespace.
  (void)client->request(web::http::methods::DEL, cms.collection_path(ns));
  (void)client->remove(resources::namespaces(), "", ns);
  return 0;
}

// Shared set-up for integration tests against the real API server started by
// tests/cluster/up.sh. A missing environment is a failure, never a skip.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "kube/client.h"
#include "kube/config.h"

namespace sluice::kube::testing {

inline std::string random_suffix() {
  static std::mt19937 rng{std::random_device{}()};
  static const char* chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 6; ++i) s += chars[rng() % 36];
  return s;
}

inline web::json::value config_map(const std::string& name, const std::string& value,
                                   const std::string& label = "") {
  auto cm = web::json::value::object();
  cm["apiVersion"] = web::json::value::string("v1");
  cm["kind"] = web::json::value::string("ConfigMap");
  cm["metadata"]["name"] = web::json::value::string(name);
  if (!label.empty()) cm["metadata"]["labels"]["group"] = web::json::value::string(label);
  cm["data"]["value"] = web::json::value::string(value);
  return cm;
}

// Polls `pred` every 50 ms until it holds or `timeout` passes. For waiting on
// a real server's asynchronous work only (never in unit tests).
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* path = std::getenv("SLUICE_TEST_KUBECONFIG");
    if (!path || !*path) {
      FAIL() << "SLUICE_TEST_KUBECONFIG is not set: start the test cluster with "
                "tests/cluster/up.sh and source its env file";
    }
    auto config = load_kubeconfig(path);
    ASSERT_TRUE(config.ok()) << config.error().to_string();
    ClientOptions options;
    options.qps = 1000;
    options.burst = 1000;
    auto client = Client::create(*config, options);
    ASSERT_TRUE(client.ok()) << client.error().to_string();
    client_ = *client;
    ns_ = "kube-it-" + random_suffix();
    auto ns = web::json::value::object();
    ns["apiVersion"] = web::json::value::string("v1");
    ns["kind"] = web::json::value::string("Namespace");
    ns["metadata"]["name"] = web::json::value::string(ns_);
    auto created = client_->create(resources::namespaces(), "", ns);
    ASSERT_TRUE(created.ok()) << created.error().to_string();
  }

  void TearDown() override {
    // Without a namespace controller the namespace stays Terminating; that
    // is fine for a throwaway cluster and keeps the test's objects visible
    // for debugging.
    if (client_) (void)client_->remove(resources::namespaces(), "", ns_);
  }

  std::shared_ptr<Client> client_;
  std::string ns_;
};

}  // namespace sluice::kube::testing

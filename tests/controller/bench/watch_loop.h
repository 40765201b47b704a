// A watch that keeps running until stopped: one thread re-issuing
// Client::watch from the last seen resourceVersion when the server ends the
// stream, and from "now" (with initial ADDEDs again) after 410 Gone, so
// callers must tolerate a repeated ADDED. Events reach `on_event` on the
// watch thread as soon as their line is decoded.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <pplx/pplxtasks.h>

#include "kube/client.h"

namespace sluice::bench {

class WatchLoop {
 public:
  using Handler = std::function<void(const kube::WatchEvent&)>;
  WatchLoop(std::shared_ptr<kube::Client> client, kube::Resource resource, std::string ns,
            std::string label_selector, Handler on_event);
  ~WatchLoop();
  void start();
  void stop();
  // Watch requests issued so far (each is one apiserver request).
  int requests() const { return requests_.load(); }

 private:
  void run();

  std::shared_ptr<kube::Client> client_;
  kube::Resource resource_;
  std::string ns_;
  std::string selector_;
  Handler on_event_;
  pplx::cancellation_token_source cancel_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace sluice::bench

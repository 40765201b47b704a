#include "watch_loop.h"

#include <chrono>

namespace sluice::bench {

WatchLoop::WatchLoop(std::shared_ptr<kube::Client> client, kube::Resource resource, std::string ns,
                     std::string label_selector, Handler on_event)
    : client_(std::move(client)),
      resource_(std::move(resource)),
      ns_(std::move(ns)),
      selector_(std::move(label_selector)),
      on_event_(std::move(on_event)) {}

WatchLoop::~WatchLoop() { stop(); }

void WatchLoop::start() { thread_ = std::thread([this] { run(); }); }

void WatchLoop::stop() {
  stop_ = true;
  cancel_.cancel();
  if (thread_.joinable()) thread_.join();
}

void WatchLoop::run() {
  std::string rv;  // "" = current state as ADDEDs, then changes
  while (!stop_) {
    kube::WatchOptions o;
    o.resource_version = rv;
    o.label_selector = selector_;
    o.timeout_seconds = 600;
    ++requests_;
    auto r = client_->watch(
        resource_, ns_, o,
        [&](kube::WatchEvent&& e) {
          const std::string v = kube::object_resource_version(e.object);
          if (!v.empty()) rv = v;
          if (e.type != kube::WatchEventType::Bookmark) on_event_(e);
          return !stop_.load();
        },
        cancel_.get_token());
    if (stop_) break;
    if (!r.ok()) {
      if (r.error().is(kube::ErrorKind::Gone)) rv.clear();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace sluice::bench

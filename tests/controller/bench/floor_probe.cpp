#include "floor_probe.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "watch_loop.h"

namespace sluice::bench {

using Clock = std::chrono::steady_clock;
using web::json::value;

namespace {
double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
}  // namespace

FloorResult measureFloor(const std::shared_ptr<kube::Client>& client, const std::string& ns, int samples,
                         int warmup) {
  FloorResult out;
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Clock::time_point> added;  // name -> when its ADDED arrived

  WatchLoop watch(client, kube::resources::config_maps(), ns, "sluice.dev/bench-floor", [&](const kube::WatchEvent& e) {
    if (e.type != kube::WatchEventType::Added) return;
    auto now = Clock::now();
    std::lock_guard<std::mutex> l(mu);
    added.emplace(kube::object_name(e.object), now);
    cv.notify_all();
  });
  watch.start();

  for (int i = 0; i < warmup + samples; ++i) {
    const std::string name = "floor-" + std::to_string(i);
    value cm;
    cm["apiVersion"] = value::string("v1");
    cm["kind"] = value::string("ConfigMap");
    cm["metadata"]["name"] = value::string(name);
    cm["metadata"]["labels"]["sluice.dev/bench-floor"] = value::string("true");
    cm["data"]["i"] = value::string(std::to_string(i));
    const auto t0 = Clock::now();
    auto r = client->create(kube::resources::config_maps(), ns, cm);
    const auto t1 = Clock::now();
    ++out.requests;
    if (!r.ok()) {
      out.error = "create " + name + ": " + r.error().to_string();
      break;
    }
    std::unique_lock<std::mutex> l(mu);
    if (!cv.wait_for(l, std::chrono::seconds(10), [&] { return added.count(name) > 0; })) {
      out.error = "no ADDED for " + name + " within 10 s";
      break;
    }
    if (i >= warmup) {
      out.create_to_added_ms.push_back(ms(added[name] - t0));
      out.create_call_ms.push_back(ms(t1 - t0));
    }
  }
  watch.stop();
  out.requests += watch.requests();
  return out;
}

}  // namespace sluice::bench

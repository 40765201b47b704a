#include "kube/leader_election.h"

#include <ctime>

#include "kube/log.h"

namespace sluice::kube {
namespace {

using web::json::value;

std::string spec_string(const value& spec, const char* field) {
  return spec.has_string_field(field) ? spec.at(field).as_string() : std::string();
}

int spec_int(const value& spec, const char* field) {
  return spec.has_number_field(field) ? spec.at(field).as_number().to_int32() : 0;
}

int whole_seconds(Clock::Duration d) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

}  // namespace

std::string format_micro_time(std::chrono::system_clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%06lldZ", buf, static_cast<long long>(micros % 1000000));
  return out;
}

LeaderElector::LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config,
                             std::shared_ptr<Clock> clock)
    : client_(std::move(client)), config_(std::move(config)), clock_(std::move(clock)),
      random_(default_random()) {}

LeaderElector::~LeaderElector() { stop(); }

void LeaderElector::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LeaderElector::is_leader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_;
}

std::string LeaderElector::observed_leader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return observed_holder_;
}

bool LeaderElector::wait(Clock::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stop_; });
  return !stop_;
}

void LeaderElector::observe(const value& spec) {
  std::string serialized = spec.serialize();
  std::string holder = spec_string(spec, "holderIdentity");
  bool new_leader = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (serialized == observed_spec_) return;
    // Expiry is judged by when *we* saw the record change, on our monotonic
    // clock, never by the timestamps in it: clocks of candidates differ.
    observed_spec_ = serialized;
    observed_time_ = clock_->now();
    new_leader = holder != observed_holder_;
    observed_holder_ = holder;
  }
  if (new_leader && !holder.empty() && config_.on_new_leader) config_.on_new_leader(holder);
}

bool LeaderElector::try_acquire_or_renew() {
  const Resource leases = resources::leases();
  std::string now = format_micro_time(clock_->wall_now());
  auto current = client_->get(leases, config_.lease_namespace, config_.lease_name);
  if (!current.ok()) {
    if (current.error().kind != ErrorKind::NotFound) {
      log(LogLevel::Warning, "leader election: get lease: " + current.error().to_string());
      return false;
    }
    value lease = value::object();
    lease["apiVersion"] = value::string("coordination.k8s.io/v1");
    lease["kind"] = value::string("Lease");
    lease["metadata"]["name"] = value::string(config_.lease_name);
    lease["metadata"]["namespace"] = value::string(config_.lease_namespace);
    value& spec = lease["spec"];
    spec["holderIdentity"] = value::string(config_.identity);
    spec["leaseDurationSeconds"] = whole_seconds(config_.lease_duration);
    spec["acquireTime"] = value::string(now);
    spec["renewTime"] = value::string(now);
    spec["leaseTransitions"] = 0;
    auto created = client_->create(leases, config_.lease_namespace, lease);
    if (!created.ok()) return false;  // someone else created it first
    observe(created->at("spec"));
    return true;
  }

  value lease = std::move(*current);
  value spec = lease.has_object_field("spec") ? lease.at("spec") : value::object();
  observe(spec);
  std::string holder = spec_string(spec, "holderIdentity");
  if (!holder.empty() && holder != config_.identity) {
    Clock::TimePoint seen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen = observed_time_;
    }
    auto duration = std::chrono::seconds(spec_int(spec, "leaseDurationSeconds"));
    if (seen + duration > clock_->now()) return false;  // held and not expired
  }

  if (holder != config_.identity) {
    spec["acquireTime"] = value::string(now);
    spec["leaseTransitions"] = spec_int(spec, "leaseTransitions") + 1;
  }
  spec["holderIdentity"] = value::string(config_.identity);
  spec["leaseDurationSeconds"] = whole_seconds(config_.lease_duration);
  spec["renewTime"] = value::string(now);
  lease["spec"] = spec;
  // The update carries the resourceVersion we read: a concurrent candidate
  // makes it fail with Conflict instead of both believing they lead.
  auto updated = client_->update(leases, config_.lease_namespace, lease);
  if (!updated.ok()) {
    if (updated.error().kind != ErrorKind::Conflict) {
      log(LogLevel::Warning, "leader election: update lease: " + updated.error().to_string());
    }
    return false;
  }
  observe(updated->at("spec"));
  return true;
}

void LeaderElector::release() {
  const Resource leases = resources::leases();
  auto current = client_->get(leases, config_.lease_namespace, config_.lease_name);
  if (!current.ok()) return;
  value lease = std::move(*current);
  if (!lease.has_object_field("spec") ||
      spec_string(lease.at("spec"), "holderIdentity") != config_.identity) {
    return;
  }
  std::string now = format_micro_time(clock_->wall_now());
  value& spec = lease["spec"];
  spec.erase("holderIdentity");
  spec["leaseDurationSeconds"] = 1;
  spec["renewTime"] = value::string(now);
  auto r = client_->update(leases, config_.lease_namespace, lease);
  if (!r.ok()) log(LogLevel::Warning, "leader election: release: " + r.error().to_string());
}

void LeaderElector::run() {
  for (;;) {
    // Campaign: retry with jitter so candidates do not collide in lockstep.
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) return;
      }
      if (try_acquire_or_renew()) break;
      auto jitter = 1.0 + 1.2 * random_();
      if (!wait(std::chrono::duration_cast<Clock::Duration>(config_.retry_period * jitter))) return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      leader_ = true;
    }
    log(LogLevel::Info, "leader election: " + config_.identity + " became leader of " +
                            config_.lease_namespace + "/" + config_.lease_name);
    if (config_.on_started_leading) config_.on_started_leading();

    auto last_renew = clock_->now();
    bool stopping = false;
    for (;;) {
      if (!wait(config_.retry_period)) {
        stopping = true;
        break;
      }
      bool renewed = try_acquire_or_renew();
      auto now = clock_->now();
      // A renewal that only completed after the deadline does not count:
      // by then we must already have stepped down.
      if (renewed && now - last_renew <= config_.renew_deadline) {
        last_renew = now;
        continue;
      }
      if (now - last_renew > config_.renew_deadline) {
        log(LogLevel::Warning, "leader election: " + config_.identity + " failed to renew in time");
        break;
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      leader_ = false;
    }
    // Stop the leader's work before the lease is given away.
    if (config_.on_stopped_leading) config_.on_stopped_leading();
    if (stopping) {
      if (config_.release_on_stop) release();
      return;
    }
  }
}

}  // namespace sluice::kube

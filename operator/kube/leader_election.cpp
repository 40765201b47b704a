#include "kube/leader_election.h"

#include <cstdint>
#include <ctime>
#include <exception>
#include <limits>

#include "kube/json_number.h"
#include "kube/log.h"

namespace sluice::kube {

using web::json::value;

namespace lease_fields {

std::optional<value> spec_of(const value& lease, bool spec_required) {
  if (!lease.is_object()) return std::nullopt;
  if (!lease.has_field("spec")) {
    if (spec_required) return std::nullopt;
    return value::object();
  }
  const value& spec = lease.at("spec");
  if (!spec.is_object()) return std::nullopt;
  return spec;
}

std::string string_field(const value& spec, const char* field) {
  return spec.is_object() && spec.has_string_field(field) ? spec.at(field).as_string() : std::string();
}

int int_field(const value& spec, const char* field) {
  if (!spec.is_object() || !spec.has_field(field)) return 0;
  return asInt32(spec.at(field)).value_or(0);
}

int next_transitions(const value& spec) {
  const int t = int_field(spec, "leaseTransitions");
  return t < std::numeric_limits<std::int32_t>::max() ? t + 1 : 0;
}

}  // namespace lease_fields

namespace {

int whole_seconds(Clock::Duration d) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

// Runs f on the elector's thread, where an escaping exception would call
// std::terminate: logs it instead.
template <class F>
void logging_exceptions(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    log(LogLevel::Warning, std::string("leader election: ") + what + ": " + e.what());
  } catch (...) {
    log(LogLevel::Warning, std::string("leader election: ") + what + ": unknown exception");
  }
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
  std::string holder = lease_fields::string_field(spec, "holderIdentity");
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
    auto created_spec = lease_fields::spec_of(*created, true);
    if (!created_spec) {
      // Created, but we cannot tell what: the next period reads it back.
      log(LogLevel::Warning, "leader election: create lease: the reply is not a Lease with a spec");
      return false;
    }
    observe(*created_spec);
    return true;
  }

  value lease = std::move(*current);
  auto current_spec = lease_fields::spec_of(lease, false);
  if (!current_spec) {
    log(LogLevel::Warning,
        "leader election: get lease: the reply is not a Lease (not an object, or its spec is not an object)");
    return false;
  }
  value spec = std::move(*current_spec);
  observe(spec);
  std::string holder = lease_fields::string_field(spec, "holderIdentity");
  if (!holder.empty() && holder != config_.identity) {
    Clock::TimePoint seen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen = observed_time_;
    }
    auto duration = std::chrono::seconds(lease_fields::int_field(spec, "leaseDurationSeconds"));
    if (seen + duration > clock_->now()) return false;  // held and not expired
  }

  if (holder != config_.identity) {
    spec["acquireTime"] = value::string(now);
    spec["leaseTransitions"] = lease_fields::next_transitions(spec);
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
  auto updated_spec = lease_fields::spec_of(*updated, true);
  if (!updated_spec) {
    // Written, but we cannot tell what: the next period reads it back.
    log(LogLevel::Warning, "leader election: update lease: the reply is not a Lease with a spec");
    return false;
  }
  observe(*updated_spec);
  return true;
}

bool LeaderElector::try_acquire_or_renew_guarded() {
  bool ok = false;
  logging_exceptions("acquire or renew", [&] { ok = try_acquire_or_renew(); });
  return ok;
}

void LeaderElector::release() {
  const Resource leases = resources::leases();
  auto current = client_->get(leases, config_.lease_namespace, config_.lease_name);
  if (!current.ok()) return;
  value lease = std::move(*current);
  auto spec_read = lease_fields::spec_of(lease, true);
  if (!spec_read || lease_fields::string_field(*spec_read, "holderIdentity") != config_.identity) return;
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
      if (try_acquire_or_renew_guarded()) break;
      auto jitter = 1.0 + 1.2 * random_();
      if (!wait(std::chrono::duration_cast<Clock::Duration>(config_.retry_period * jitter))) return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      leader_ = true;
    }
    log(LogLevel::Info, "leader election: " + config_.identity + " became leader of " +
                            config_.lease_namespace + "/" + config_.lease_name);
    if (config_.on_started_leading) logging_exceptions("on_started_leading", config_.on_started_leading);

    auto last_renew = clock_->now();
    bool stopping = false;
    for (;;) {
      if (!wait(config_.retry_period)) {
        stopping = true;
        break;
      }
      bool renewed = try_acquire_or_renew_guarded();
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
    if (config_.on_stopped_leading) logging_exceptions("on_stopped_leading", config_.on_stopped_leading);
    if (stopping) {
      if (config_.release_on_stop) logging_exceptions("release", [this] { release(); });
      return;
    }
  }
}

}  // namespace sluice::kube

// apiserver_request_total from the apiserver's own /metrics, summed per
// "VERB resource[/subresource]" (non-resource URLs as "VERB <path>"). The
// metric has no user-agent label, so requests of one client are found by
// difference: (after - before) minus what the other clients are known to
// have sent. Long-running WATCH requests are counted by the apiserver only
// when they end, so deltas of WATCH rows are not comparable and are left out
// of per-step figures.
#pragma once

#include <map>
#include <string>

namespace sluice::bench {

using RequestCounts = std::map<std::string, long>;

// Parses the Prometheus text exposition; other metrics are ignored.
RequestCounts parseRequestTotals(const std::string& metricsText);

// Scrapes through kubectl (get --raw /metrics), so the request is the
// kubeconfig's admin user's; empty map and *error set on failure.
RequestCounts scrapeRequestTotals(const std::string& kubectl, const std::string& kubeconfig, std::string* error);

// a - b, per key (keys of either), dropping zeros.
RequestCounts minus(const RequestCounts& a, const RequestCounts& b);

}  // namespace sluice::bench

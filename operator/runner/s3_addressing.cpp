#include "s3_addressing.h"

#include <algorithm>
#include <cctype>

#include "sigv4.h"

namespace sluice::runner {
namespace {

bool isIpOrLocalhost(const std::string& hostPort) {
  if (!hostPort.empty() && hostPort[0] == '[') return true;  // IPv6 literal
  const std::string host = hostPort.substr(0, hostPort.find(':'));
  if (host == "localhost") return true;
  return !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isdigit(c) || c == '.';
  });
}

bool isVirtualHostable(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (bucket.front() == '-' || bucket.back() == '-') return false;
  return std::all_of(bucket.begin(), bucket.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-';
  });
}

}  // namespace

RequestTarget addressFor(const std::string& hostPort, bool forcePathStyle,
                         const std::string& bucket, const std::string& key) {
  const bool pathStyle =
      bucket.empty() || forcePathStyle || isIpOrLocalhost(hostPort) || !isVirtualHostable(bucket);
  RequestTarget t;
  if (pathStyle) {
    t.host = hostPort;
    t.path = "/" + bucket;
    if (!key.empty()) t.path += "/" + uriEncode(key, false);
  } else {
    t.host = bucket + "." + hostPort;
    t.path = "/" + uriEncode(key, false);
  }
  return t;
}

}  // namespace sluice::runner

// Where an S3 request goes: path style (https://host/bucket/key) or
// virtual-hosted style (https://bucket.host/key). Pure.
#pragma once

#include <string>

namespace sluice::runner {

struct RequestTarget {
  std::string host;  // Host header / authority, e.g. "bucket.s3.amazonaws.com:9000"
  std::string path;  // encoded path as sent and signed, e.g. "/bucket/a%20b"
};

// Path style when forced, for IP-literal or localhost endpoints (no DNS
// for bucket subdomains), and for bucket names that are not plain DNS
// labels (dots would break the *.host wildcard certificate). Keys are
// URI-encoded with '/' kept. An empty bucket addresses the service.
RequestTarget addressFor(const std::string& endpointHostPort, bool forcePathStyle,
                         const std::string& bucket, const std::string& key);

}  // namespace sluice::runner

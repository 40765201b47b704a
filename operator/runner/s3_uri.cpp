#include "s3_uri.h"

namespace sluice::runner {

std::optional<S3Uri> parseS3Uri(const std::string& text) {
  const std::string scheme = "s3://";
  if (text.compare(0, scheme.size(), scheme) != 0) return std::nullopt;
  const std::string rest = text.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  S3Uri uri;
  uri.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) uri.key = rest.substr(slash + 1);
  if (uri.bucket.empty()) return std::nullopt;
  return uri;
}

}  // namespace sluice::runner

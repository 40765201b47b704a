// s3://BUCKET/KEY URIs. A key ending in '/' (or empty) names a prefix, i.e.
// a directory tree; anything else names one object.
#pragma once

#include <optional>
#include <string>

namespace sluice::runner {

struct S3Uri {
  std::string bucket;
  std::string key;  // may be empty (the whole bucket)

  bool isPrefix() const { return key.empty() || key.back() == '/'; }
  std::string str() const { return "s3://" + bucket + "/" + key; }
};

// nullopt unless the text is s3://BUCKET[/KEY] with a non-empty bucket.
std::optional<S3Uri> parseS3Uri(const std::string& text);

}  // namespace sluice::runner

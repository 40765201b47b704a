// The staging spec: what sluice-runner downloads before the step's command
// runs, uploads after it, and which properties it reports. The operator
// passes it as compact JSON in the env var SLUICE_STAGING:
//
//   {"inputs":     [{"name": "train", "uri": "s3://bucket/prefix/", "path": "/opt/ml/input/data/train"}],
//    "outputs":    [{"name": "model", "path": "/opt/ml/model", "uri": "s3://bucket/prefix/model/"}],
//    "properties": [{"name": "mse", "file": "/opt/ml/eval/evaluation.json",
//                    "jsonPath": "regression_metrics.mse.value"}],
//    "store": {"endpoint": "https://s3.example:443", "region": "us-east-1",
//              "forcePathStyle": true, "caFile": "/etc/sluice/ca.pem",
//              "multipartThresholdBytes": 67108864, "partSizeBytes": 16777216}}
//
// inputs/outputs/properties may be omitted (empty). store.endpoint is
// required; region defaults to us-east-1, forcePathStyle to false; caFile,
// multipartThresholdBytes and partSizeBytes are optional. A URI ending in
// '/' is a prefix (a directory tree), otherwise a single object (a file).
// Unknown fields are ignored (newer operators may add some).
// Credentials never travel in the spec: they come from AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (set via secretKeyRef).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "s3_uri.h"

namespace sluice::runner {

struct InputSpec {
  std::string name;
  S3Uri uri;
  std::string path;
};

struct OutputSpec {
  std::string name;
  std::string path;
  S3Uri uri;
};

struct PropertySpec {
  std::string name;
  std::string file;
  std::string jsonPath;
};

struct StoreSpec {
  std::string endpoint;
  std::string region = "us-east-1";
  bool forcePathStyle = false;
  std::string caFile;
  std::optional<std::uint64_t> multipartThresholdBytes;
  std::optional<std::uint64_t> partSizeBytes;
};

struct StagingSpec {
  std::vector<InputSpec> inputs;
  std::vector<OutputSpec> outputs;
  std::vector<PropertySpec> properties;
  StoreSpec store;
};

class StagingSpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses and validates; throws StagingSpecError naming the offending field
// (e.g. "outputs[1].uri: not an s3:// URI: 'http://x'").
StagingSpec parseStagingSpec(const std::string& json);

}  // namespace sluice::runner

#include <gtest/gtest.h>

#include "staging_spec.h"

namespace sluice::runner {
namespace {

TEST(StagingSpec, ParsesFullSpec) {
  const auto spec = parseStagingSpec(R"({
    "inputs": [{"name": "train", "uri": "s3://data/ml/Preprocess/train/", "path": "/opt/ml/input/data/train"},
               {"name": "cfg", "uri": "s3://data/config.json", "path": "/opt/ml/config.json"}],
    "outputs": [{"name": "model", "path": "/opt/ml/model", "uri": "s3://data/ml/Train/model/"}],
    "properties": [{"name": "mse", "file": "/opt/ml/eval.json", "jsonPath": "metrics.mse"}],
    "store": {"endpoint": "https://s3.example:9000", "region": "eu-west-1", "forcePathStyle": true,
              "caFile": "/etc/ca.pem", "multipartThresholdBytes": 1048576, "partSizeBytes": 5242880,
              "futureField": 1}
  })");
  ASSERT_EQ(spec.inputs.size(), 2u);
  EXPECT_EQ(spec.inputs[0].name, "train");
  EXPECT_EQ(spec.inputs[0].uri.bucket, "data");
  EXPECT_EQ(spec.inputs[0].uri.key, "ml/Preprocess/train/");
  EXPECT_TRUE(spec.inputs[0].uri.isPrefix());
  EXPECT_FALSE(spec.inputs[1].uri.isPrefix());
  EXPECT_EQ(spec.inputs[1].path, "/opt/ml/config.json");
  ASSERT_EQ(spec.outputs.size(), 1u);
  EXPECT_EQ(spec.outputs[0].uri.str(), "s3://data/ml/Train/model/");
  ASSERT_EQ(spec.properties.size(), 1u);
  EXPECT_EQ(spec.properties[0].jsonPath, "metrics.mse");
  EXPECT_EQ(spec.store.endpoint, "https://s3.example:9000");
  EXPECT_EQ(spec.store.region, "eu-west-1");
  EXPECT_TRUE(spec.store.forcePathStyle);
  EXPECT_EQ(spec.store.caFile, "/etc/ca.pem");
  EXPECT_EQ(spec.store.multipartThresholdBytes.value_or(0), 1048576u);
  EXPECT_EQ(spec.store.partSizeBytes.value_or(0), 5242880u);
}

TEST(StagingSpec, DefaultsForOptionalParts) {
  const auto spec = parseStagingSpec(R"({"store": {"endpoint": "http://127.0.0.1:7070"}})");
  EXPECT_TRUE(spec.inputs.empty());
  EXPECT_TRUE(spec.outputs.empty());
  EXPECT_TRUE(spec.properties.empty());
  EXPECT_EQ(spec.store.region, "us-east-1");
  EXPECT_FALSE(spec.store.forcePathStyle);
  EXPECT_FALSE(spec.store.multipartThresholdBytes.has_value());
}

TEST(StagingSpec, RejectsBadSpecsNamingTheField) {
  struct Case {
    const char* name;
    const char* json;
    const char* wantInMessage;
  };
  const Case cases[] = {
      {"not json", "{inputs", "not valid JSON"},
      {"not an object", "[]", "must be a JSON object"},
      {"no store", R"({"inputs": []})", "store: required"},
      {"no endpoint", R"({"store": {}})", "store.endpoint: required"},
      {"endpoint scheme", R"({"store": {"endpoint": "ftp://x"}})", "store.endpoint: must start with"},
      {"inputs not array", R"({"inputs": {}, "store": {"endpoint": "http://x"}})", "inputs: must be an array"},
      {"input uri scheme",
       R"({"inputs": [{"name": "a", "uri": "http://x/y", "path": "/a"}], "store": {"endpoint": "http://x"}})",
       "inputs[0].uri: not an s3://"},
      {"input no bucket",
       R"({"inputs": [{"name": "a", "uri": "s3:///y", "path": "/a"}], "store": {"endpoint": "http://x"}})",
       "inputs[0].uri"},
      {"relative path",
       R"({"inputs": [{"name": "a", "uri": "s3://b/k", "path": "rel"}], "store": {"endpoint": "http://x"}})",
       "inputs[0].path: must be an absolute path"},
      {"missing name",
       R"({"outputs": [{"path": "/a", "uri": "s3://b/k/"}], "store": {"endpoint": "http://x"}})",
       "outputs[0].name: required"},
      {"duplicate output",
       R"({"outputs": [{"name": "m", "path": "/a", "uri": "s3://b/a/"}, {"name": "m", "path": "/b", "uri": "s3://b/b/"}],
           "store": {"endpoint": "http://x"}})",
       "outputs[1].name: duplicate name 'm'"},
      {"property no jsonPath",
       R"({"properties": [{"name": "p", "file": "/f.json"}], "store": {"endpoint": "http://x"}})",
       "properties[0].jsonPath: required"},
      {"name not string",
       R"({"properties": [{"name": 3, "file": "/f.json", "jsonPath": "a"}], "store": {"endpoint": "http://x"}})",
       "properties[0].name: must be a string"},
      {"forcePathStyle type", R"({"store": {"endpoint": "http://x", "forcePathStyle": "yes"}})",
       "store.forcePathStyle: must be a boolean"},
      {"threshold negative", R"({"store": {"endpoint": "http://x", "multipartThresholdBytes": -1}})",
       "store.multipartThresholdBytes: must be a positive integer"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    try {
      parseStagingSpec(c.json);
      ADD_FAILURE() << "accepted";
    } catch (const StagingSpecError& e) {
      EXPECT_NE(std::string(e.what()).find(c.wantInMessage), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace sluice::runner

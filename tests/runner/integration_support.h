// Shared by the runner's integration tests: the S3 server from
// tests/cluster/up.sh --s3 (env SLUICE_TEST_S3_*), scratch directories,
// deterministic random files and byte-exact comparison.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "s3_client.h"

namespace sluice::runner::testing {

struct S3TestEnv {
  std::string endpoint;
  std::string accessKey;
  std::string secretKey;
  std::string region;
};

// Fills env from SLUICE_TEST_S3_*; on a missing variable returns a failure
// naming it (tests ASSERT on it: missing env is a failure, not a skip).
::testing::AssertionResult loadS3Env(S3TestEnv& env);

S3Config clientConfig(const S3TestEnv& env);

// A fresh, unique bucket name for one test.
std::string uniqueBucketName();

// A new empty directory under /tmp, removed by the destructor.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Writes `size` pseudo-random bytes derived from `seed` (creating parents).
void writeRandomFile(const std::string& path, std::uint64_t size, std::uint64_t seed);
void writeTextFile(const std::string& path, const std::string& text);
std::string readTextFile(const std::string& path);

// Success when both files exist and are byte-identical.
::testing::AssertionResult sameBytes(const std::string& a, const std::string& b);

// A 127.0.0.1 port nothing listens on (bound, then closed).
int closedLocalPort();

}  // namespace sluice::runner::testing

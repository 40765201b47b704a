#include <gtest/gtest.h>

#include "s3_addressing.h"

namespace sluice::runner {
namespace {

TEST(S3Addressing, ChoosesPathOrVirtualHostedStyle) {
  struct Case {
    const char* name;
    const char* hostPort;
    bool forcePathStyle;
    const char* bucket;
    const char* key;
    const char* wantHost;
    const char* wantPath;
  };
  const Case cases[] = {
      {"virtual hosted", "s3.eu-west-1.amazonaws.com", false, "pipelines", "ml/a b.csv",
       "pipelines.s3.eu-west-1.amazonaws.com", "/ml/a%20b.csv"},
      {"virtual hosted keeps port", "minio.example:9000", false, "data", "k",
       "data.minio.example:9000", "/k"},
      {"forced path style", "minio.minio:9000", true, "pipelines", "ml/x+y",
       "minio.minio:9000", "/pipelines/ml/x%2By"},
      {"IP endpoint", "127.0.0.1:7070", false, "pipelines", "k", "127.0.0.1:7070", "/pipelines/k"},
      {"localhost endpoint", "localhost:7070", false, "pipelines", "k", "localhost:7070", "/pipelines/k"},
      {"IPv6 endpoint", "[::1]:7070", false, "pipelines", "k", "[::1]:7070", "/pipelines/k"},
      {"dotted bucket", "s3.amazonaws.com", false, "my.bucket", "k", "s3.amazonaws.com", "/my.bucket/k"},
      {"upper-case bucket", "s3.amazonaws.com", false, "MyBucket", "k", "s3.amazonaws.com", "/MyBucket/k"},
      {"bucket-level request", "s3.amazonaws.com", false, "pipelines", "", "pipelines.s3.amazonaws.com", "/"},
      {"bucket-level path style", "127.0.0.1:7070", false, "pipelines", "", "127.0.0.1:7070", "/pipelines"},
      {"service level", "s3.amazonaws.com", false, "", "", "s3.amazonaws.com", "/"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const RequestTarget t = addressFor(c.hostPort, c.forcePathStyle, c.bucket, c.key);
    EXPECT_EQ(t.host, c.wantHost);
    EXPECT_EQ(t.path, c.wantPath);
  }
}

}  // namespace
}  // namespace sluice::runner

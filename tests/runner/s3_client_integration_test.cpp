// The S3 client against the real S3-compatible server (versitygw) that
// tests/cluster/up.sh --s3 starts. Every round trip is compared byte for byte.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "crypto.h"
#include "integration_support.h"
#include "s3_client.h"
#include "staging.h"

namespace sluice::runner {
namespace {

using namespace sluice::runner::testing;
namespace fs = std::filesystem;

class S3ClientIT : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(loadS3Env(env_));
    cfg_ = clientConfig(env_);
    // Low threshold so multipart is exercised with small files.
    cfg_.multipartThreshold = 6ull << 20;
    cfg_.partSize = 5ull << 20;
    client_ = std::make_unique<S3Client>(cfg_);
    bucket_ = uniqueBucketName();
    client_->createBucket(bucket_);
  }

  S3TestEnv env_;
  S3Config cfg_;
  std::unique_ptr<S3Client> client_;
  std::string bucket_;
  ScratchDir dir_;
};

TEST_F(S3ClientIT, CreateBucketTwiceIsFine) { EXPECT_NO_THROW(client_->createBucket(bucket_)); }

TEST_F(S3ClientIT, PutHeadGetRoundTripsByteExact) {
  struct Case {
    const char* key;
    std::uint64_t size;
  };
  const Case cases[] = {
      {"small.bin", 1 << 20},
      {"empty.bin", 0},
      // Characters SigV4 must encode in the path: space, + = & ~ $ and UTF-8.
      {"dir with space/a+b=c&d~$\xc3\xa9.txt", 4097},
  };
  int seed = 1;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    const std::string src = dir_ / ("src-" + std::to_string(seed));
    const std::string dst = dir_ / ("dst-" + std::to_string(seed));
    writeRandomFile(src, c.size, static_cast<std::uint64_t>(seed++));
    client_->putObjectFromFile(bucket_, c.key, src);
    EXPECT_EQ(client_->headObject(bucket_, c.key).size, c.size);
    EXPECT_EQ(client_->getObjectToFile(bucket_, c.key, dst), c.size);
    EXPECT_TRUE(sameBytes(src, dst));
    EXPECT_FALSE(fs::exists(dst + ".sluice-partial"));
  }
}

TEST_F(S3ClientIT, MultipartAboveThresholdRoundTripsByteExact) {
  const std::string src = dir_ / "big.bin";
  const std::string dst = dir_ / "big.out";
  const std::uint64_t size = (13ull << 20) + 12345;  // 3 parts: 5 MiB, 5 MiB, rest
  writeRandomFile(src, size, 42);
  client_->putObjectFromFile(bucket_, "big/big.bin", src);
  const ObjectInfo info = client_->headObject(bucket_, "big/big.bin");
  EXPECT_EQ(info.size, size);
  // A multipart object's ETag is "<md5 of part md5s>-<part count>".
  EXPECT_NE(info.etag.find("-3"), std::string::npos) << info.etag;
  EXPECT_EQ(client_->getObjectToFile(bucket_, "big/big.bin", dst), size);
  EXPECT_TRUE(sameBytes(src, dst));
}

TEST_F(S3ClientIT, UnsignedAndSignedPayloadsAreBothAccepted) {
  const std::string src = dir_ / "p.bin";
  writeRandomFile(src, 70000, 7);
  for (PayloadSigning mode : {PayloadSigning::Unsigned, PayloadSigning::Always}) {
    S3Config cfg = cfg_;
    cfg.payloadSigning = mode;
    S3Client client(cfg);
    const std::string key = mode == PayloadSigning::Unsigned ? "unsigned" : "signed";
    client.putObjectFromFile(bucket_, key, src);
    client.getObjectToFile(bucket_, key, dir_ / key);
    EXPECT_TRUE(sameBytes(src, dir_ / key)) << key;
  }
}

TEST_F(S3ClientIT, ListFollowsContinuationTokens) {
  for (int i = 0; i < 7; ++i) client_->putObjectFromString(bucket_, "list/k" + std::to_string(i), "x");
  client_->putObjectFromString(bucket_, "other/k", "x");
  std::set<std::string> keys;
  std::string token;
  int pages = 0;
  do {
    ListPage page = client_->listObjectsPage(bucket_, "list/", token, 3);
    EXPECT_LE(page.objects.size(), 3u);
    for (const auto& o : page.objects) keys.insert(o.key);
    token = page.nextContinuationToken;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(keys.size(), 7u);
  EXPECT_EQ(client_->listObjects(bucket_, "list/").size(), 7u);
}

TEST_F(S3ClientIT, TreeOfAThousandFilesRoundTripsByteExact) {
  const std::string tree = dir_ / "tree";
  for (int i = 0; i < 1000; ++i) {
    writeRandomFile(tree + "/d" + std::to_string(i % 10) + "/f" + std::to_string(i) + ".bin",
                    100 + static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(i));
  }
  const OutputSpec out{"tree", tree, S3Uri{bucket_, "run/tree/"}};
  const OutputResult up = uploadOutput(*client_, out, 8);
  EXPECT_EQ(up.files, 1000u);
  EXPECT_EQ(up.size, 1000u * 100u + 999u * 1000u / 2u);

  // More than one default page (1000 keys) would be needed past 1000; here
  // check the listing sees all of them.
  EXPECT_EQ(client_->listObjects(bucket_, "run/tree/").size(), 1000u);

  const std::string back = dir_ / "back";
  const TransferStats down = downloadInput(*client_, InputSpec{"tree", S3Uri{bucket_, "run/tree/"}, back}, 8);
  EXPECT_EQ(down.files, 1000u);
  for (int i = 0; i < 1000; ++i) {
    const std::string rel = "/d" + std::to_string(i % 10) + "/f" + std::to_string(i) + ".bin";
    ASSERT_TRUE(sameBytes(tree + rel, back + rel)) << rel;
  }
  // Uploading the downloaded copy gives the same manifest digest.
  EXPECT_EQ(uploadOutput(*client_, OutputSpec{"t2", back, S3Uri{bucket_, "run/t2/"}}, 8).sha256,
            up.sha256);
}

TEST_F(S3ClientIT, ErrorsCarryKindAndS3Code) {
  try {
    client_->getObjectToFile(bucket_, "missing/key", dir_ / "never");
    ADD_FAILURE() << "no error";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.kind(), S3ErrorKind::NotFound) << e.what();
    EXPECT_EQ(e.httpStatus(), 404);
    EXPECT_EQ(e.code(), "NoSuchKey") << e.what();
    EXPECT_FALSE(fs::exists(dir_ / "never"));
    EXPECT_FALSE(fs::exists(dir_ / "never.sluice-partial"));
  }
  try {
    client_->headObject(bucket_, "missing/key");
    ADD_FAILURE() << "no error";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.kind(), S3ErrorKind::NotFound) << e.what();
  }

  S3Config wrong = cfg_;
  wrong.credentials.secretAccessKey = "not-the-secret";
  try {
    S3Client(wrong).listObjects(bucket_, "");
    ADD_FAILURE() << "no error";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.kind(), S3ErrorKind::AccessDenied) << e.what();
    EXPECT_EQ(e.httpStatus(), 403);
    EXPECT_EQ(e.code(), "SignatureDoesNotMatch") << e.what();
  }
}

TEST_F(S3ClientIT, UnreachableEndpointRetriesThenFails) {
  S3Config cfg = cfg_;
  cfg.endpoint = "http://127.0.0.1:" + std::to_string(closedLocalPort());
  int sleeps = 0;
  cfg.sleep = [&](std::chrono::milliseconds) { ++sleeps; };  // no real waiting
  try {
    S3Client(cfg).headObject(bucket_, "k");
    ADD_FAILURE() << "no error";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.kind(), S3ErrorKind::Unavailable) << e.what();
    EXPECT_EQ(e.httpStatus(), 0);
    EXPECT_NE(std::string(e.what()).find("after 5 attempts"), std::string::npos) << e.what();
  }
  EXPECT_EQ(sleeps, 4);  // a backoff between each of the 5 attempts
}

// Fails unless `expr` throws an error that says the TLS handshake or the
// certificate check failed (not, say, a refused connection).
#define EXPECT_THAT_THROWS_TLS(expr)                                                    \
  do {                                                                                  \
    try {                                                                               \
      expr;                                                                             \
      ADD_FAILURE() << #expr " succeeded";                                              \
    } catch (const std::exception& e) {                                                 \
      std::cout << "[tls] " #expr ": " << e.what() << "\n";                              \
      const std::string what = e.what();                                                \
      EXPECT_TRUE(what.find("certificate") != std::string::npos ||                      \
                  what.find("handshake") != std::string::npos ||                        \
                  what.find("verify") != std::string::npos)                             \
          << what;                                                                      \
    }                                                                                   \
  } while (0)

// HTTPS against the same server behind a certificate from the test CA: the
// client verifies the peer against caFile, and without it (system CAs only)
// or under a name the certificate does not carry, it refuses to talk.
TEST(S3ClientTlsIT, VerifiesTheServerCertificate) {
  S3TestEnv env;
  ASSERT_TRUE(loadS3Env(env));
  const char* tlsEndpoint = std::getenv("SLUICE_TEST_S3_TLS_ENDPOINT");
  const char* caFile = std::getenv("SLUICE_TEST_S3_CA_FILE");
  ASSERT_TRUE(tlsEndpoint && caFile) << "SLUICE_TEST_S3_TLS_ENDPOINT / SLUICE_TEST_S3_CA_FILE not set (tests/cluster/up.sh --s3)";
  ASSERT_EQ(std::string(tlsEndpoint).rfind("https://", 0), 0u) << tlsEndpoint;

  S3Config cfg = clientConfig(env);
  cfg.endpoint = tlsEndpoint;
  cfg.caFile = caFile;
  S3Client client(cfg);
  const std::string bucket = uniqueBucketName();
  client.createBucket(bucket);
  ScratchDir dir;
  writeRandomFile(dir / "src", 300 * 1024, 42);
  client.putObjectFromFile(bucket, "over-tls.bin", dir / "src");
  EXPECT_EQ(client.getObjectToFile(bucket, "over-tls.bin", dir / "dst"), 300u * 1024u);
  EXPECT_TRUE(sameBytes(dir / "src", dir / "dst"));

  S3Config untrusted = cfg;
  untrusted.caFile.clear();  // the test CA is not among the system CAs
  untrusted.maxAttempts = 1;
  EXPECT_THAT_THROWS_TLS(S3Client(untrusted).headObject(bucket, "over-tls.bin"));

  S3Config wrongName = cfg;  // the certificate names 127.0.0.1 only
  wrongName.endpoint = "https://localhost:" + std::string(tlsEndpoint).substr(std::string(tlsEndpoint).rfind(':') + 1);
  wrongName.maxAttempts = 1;
  EXPECT_THAT_THROWS_TLS(S3Client(wrongName).headObject(bucket, "over-tls.bin"));
}

}  // namespace
}  // namespace sluice::runner

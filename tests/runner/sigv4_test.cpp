// SigV4 against published vectors, written out here with their source:
//
// [suite] AWS Signature Version 4 test suite (aws-sig-v4-test-suite,
//   https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html):
//   credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
//   region us-east-1, service "service", date 20150830T123600Z. Each case
//   names its directory (NAME/NAME.req, .creq, .sts, .authz).
// [s3doc] Amazon S3 API reference, "Signature Calculations for the
//   Authorization Header: Transferring Payload in a Single Chunk" examples
//   (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
//   AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, bucket
//   examplebucket, region us-east-1, service s3, date 20130524T000000Z.
#include <gtest/gtest.h>

#include <chrono>

#include "crypto.h"
#include "sigv4.h"

namespace sluice::runner {
namespace {

const SigningCredentials kSuiteCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const SigningCredentials kS3DocCreds{"AKIAIOSFODNN7EXAMPLE",
                                     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr const char* kSuiteDate = "20150830T123600Z";
constexpr const char* kS3DocDate = "20130524T000000Z";
constexpr const char* kSuiteHost = "example.amazonaws.com";
constexpr const char* kS3DocHost = "examplebucket.s3.amazonaws.com";

struct Vector {
  const char* name;
  SigningCredentials creds;
  const char* service;
  const char* date;
  SigningRequest request;
  const char* expectedSignedHeaders;
  const char* expectedSignature;
};

HeaderList suiteHeaders(HeaderList extra = {}) {
  HeaderList h{{"Host", kSuiteHost}, {"X-Amz-Date", kSuiteDate}};
  h.insert(h.end(), extra.begin(), extra.end());
  return h;
}

HeaderList s3Headers(const std::string& payloadHash, HeaderList extra = {}) {
  HeaderList h{{"Host", kS3DocHost},
               {"x-amz-content-sha256", payloadHash},
               {"x-amz-date", kS3DocDate}};
  h.insert(h.end(), extra.begin(), extra.end());
  return h;
}

// sha256("Welcome to Amazon S3."), the [s3doc] PUT Object payload.
constexpr const char* kWelcomeSha =
    "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
// sha256("Param1=value1"), the [suite] post-x-www-form-urlencoded body (from its .creq).
constexpr const char* kFormSha =
    "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
// [suite] post-sts-token/readme.txt example token.
constexpr const char* kStsToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIe"
    "oIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5V"
    "SXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8"
    "fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

const Vector kVectors[] = {
    {"suite/get-vanilla", kSuiteCreds, "service", kSuiteDate,
     {"GET", "/", {}, suiteHeaders(), kEmptyPayloadSha256},
     "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"suite/get-vanilla-query-order-key-case", kSuiteCreds, "service", kSuiteDate,
     {"GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}}, suiteHeaders(), kEmptyPayloadSha256},
     "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"suite/get-vanilla-query-order-key", kSuiteCreds, "service", kSuiteDate,
     {"GET", "/", {{"Param1", "value2"}, {"Param1", "Value1"}}, suiteHeaders(), kEmptyPayloadSha256},
     "host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
    {"suite/get-vanilla-empty-query-key", kSuiteCreds, "service", kSuiteDate,
     {"GET", "/", {{"Param1", "value1"}}, suiteHeaders(), kEmptyPayloadSha256},
     "host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
    {"suite/get-unreserved", kSuiteCreds, "service", kSuiteDate,
     {"GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", {},
      suiteHeaders(), kEmptyPayloadSha256},
     "host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
    {"suite/get-header-value-trim", kSuiteCreds, "service", kSuiteDate,
     {"GET", "/", {}, suiteHeaders({{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}}),
      kEmptyPayloadSha256},
     "host;my-header1;my-header2;x-amz-date",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
    {"suite/post-vanilla", kSuiteCreds, "service", kSuiteDate,
     {"POST", "/", {}, suiteHeaders(), kEmptyPayloadSha256},
     "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"suite/post-x-www-form-urlencoded", kSuiteCreds, "service", kSuiteDate,
     {"POST", "/", {}, suiteHeaders({{"Content-Type", "application/x-www-form-urlencoded"}}),
      kFormSha},
     "content-type;host;x-amz-date",
     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
    {"suite/post-sts-token/post-sts-header-before", kSuiteCreds, "service", kSuiteDate,
     {"POST", "/", {}, suiteHeaders({{"X-Amz-Security-Token", kStsToken}}), kEmptyPayloadSha256},
     "host;x-amz-date;x-amz-security-token",
     "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
    {"s3doc/GET Object", kS3DocCreds, "s3", kS3DocDate,
     {"GET", "/test.txt", {}, s3Headers(kEmptyPayloadSha256, {{"Range", "bytes=0-9"}}),
      kEmptyPayloadSha256},
     "host;range;x-amz-content-sha256;x-amz-date",
     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
    {"s3doc/PUT Object", kS3DocCreds, "s3", kS3DocDate,
     {"PUT", "/" + uriEncode("test$file.text", false), {},
      s3Headers(kWelcomeSha, {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                              {"x-amz-storage-class", "REDUCED_REDUNDANCY"}}),
      kWelcomeSha},
     "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
     "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"},
    {"s3doc/GET Bucket Lifecycle", kS3DocCreds, "s3", kS3DocDate,
     {"GET", "/", {{"lifecycle", ""}}, s3Headers(kEmptyPayloadSha256), kEmptyPayloadSha256},
     "host;x-amz-content-sha256;x-amz-date",
     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"},
    {"s3doc/Get Bucket (List Objects)", kS3DocCreds, "s3", kS3DocDate,
     {"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, s3Headers(kEmptyPayloadSha256),
      kEmptyPayloadSha256},
     "host;x-amz-content-sha256;x-amz-date",
     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"},
};

TEST(SigV4, PublishedVectors) {
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.name);
    const auto r = signV4(v.request, v.creds, "us-east-1", v.service, v.date);
    EXPECT_EQ(r.signedHeaders, v.expectedSignedHeaders);
    EXPECT_EQ(r.signature, v.expectedSignature);
    const std::string scope = std::string(v.date).substr(0, 8) + "/us-east-1/" + v.service;
    EXPECT_EQ(r.authorization, "AWS4-HMAC-SHA256 Credential=" + v.creds.accessKeyId + "/" + scope +
                                   "/aws4_request, SignedHeaders=" + v.expectedSignedHeaders +
                                   ", Signature=" + v.expectedSignature);
  }
}

// The intermediate forms, for the cases whose .creq and .sts files the
// suite publishes, pin down which step would be wrong if a signature were.
TEST(SigV4, SuiteCanonicalRequestAndStringToSign) {
  struct Case {
    const char* name;
    SigningRequest request;
    const char* creq;
    const char* sts;
  };
  const Case cases[] = {
      {"suite/get-vanilla-query-order-key",
       {"GET", "/", {{"Param1", "value2"}, {"Param1", "Value1"}}, suiteHeaders(),
        kEmptyPayloadSha256},
       "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
       "704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89"},
      {"suite/post-x-www-form-urlencoded",
       {"POST", "/", {}, suiteHeaders({{"Content-Type", "application/x-www-form-urlencoded"}}),
        sha256Hex("Param1=value1")},
       "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
       "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
       "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
       "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto r = signV4(c.request, kSuiteCreds, "us-east-1", "service", kSuiteDate);
    EXPECT_EQ(r.canonicalRequest, c.creq);
    EXPECT_EQ(r.stringToSign, c.sts);
  }
}

TEST(SigV4, UriEncode) {
  struct Case {
    const char* in;
    bool encodeSlash;
    const char* want;
  };
  const Case cases[] = {
      {"a b", true, "a%20b"},
      {"a+b=c&d", true, "a%2Bb%3Dc%26d"},
      {"dir/file.txt", false, "dir/file.txt"},
      {"dir/file.txt", true, "dir%2Ffile.txt"},
      {"-._~AZaz09", true, "-._~AZaz09"},
      {"\xc3\xa9", true, "%C3%A9"},
      {"100%", true, "100%25"},
      {"$!*'()", false, "%24%21%2A%27%28%29"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(uriEncode(c.in, c.encodeSlash), c.want) << c.in;
  }
}

TEST(SigV4, AmzDateIsUtcCompactForm) {
  // 2013-05-24T00:00:00Z, the [s3doc] date.
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1369353600));
  EXPECT_EQ(formatAmzDate(t), "20130524T000000Z");
}

TEST(Crypto, Sha256KnownValues) {
  EXPECT_EQ(sha256Hex(""), kEmptyPayloadSha256);
  EXPECT_EQ(sha256Hex("Welcome to Amazon S3."), kWelcomeSha);
  Sha256 incremental;
  incremental.update("Welcome to ");
  incremental.update("Amazon S3.");
  EXPECT_EQ(incremental.finishHex(), kWelcomeSha);
}

}  // namespace
}  // namespace sluice::runner

#include <gtest/gtest.h>

#include "s3_error.h"
#include "xml_extract.h"

namespace sluice::runner {
namespace {

// Shapes as S3 documents them (Error responses, ListObjectsV2).
TEST(XmlExtract, ReadsS3ErrorBody) {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
      "<Message>The resource you requested does not exist &amp; never did</Message>"
      "<Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>";
  EXPECT_EQ(xmlFirstText(body, "Code").value_or(""), "NoSuchKey");
  EXPECT_EQ(xmlFirstText(body, "Message").value_or(""),
            "The resource you requested does not exist & never did");
  EXPECT_FALSE(xmlFirstText(body, "HostId").has_value());
}

TEST(XmlExtract, ReadsListingEntriesWithoutConfusingSimilarTags) {
  const std::string body =
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
      "<Prefix/><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>"
      "<Contents><Key>a&lt;1&gt;&#x41;&#233;</Key><Size>10</Size><ETag>&quot;e1&quot;</ETag></Contents>"
      "<Contents>\n<Key>dir/b</Key><Size>0</Size></Contents>"
      "<NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>";
  const auto contents = xmlAllElements(body, "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(xmlFirstText(contents[0], "Key").value_or(""), "a<1>A\xc3\xa9");
  EXPECT_EQ(xmlFirstText(contents[0], "ETag").value_or(""), "\"e1\"");
  EXPECT_EQ(xmlFirstText(contents[1], "Key").value_or(""), "dir/b");
  EXPECT_EQ(xmlFirstText(body, "Prefix").value_or("absent"), "");
  EXPECT_EQ(xmlFirstText(body, "NextContinuationToken").value_or(""), "tok+/=");
  EXPECT_EQ(xmlEscape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
}

TEST(S3Error, ClassifiesStatusAndCode) {
  struct Case {
    int status;
    const char* code;
    S3ErrorKind want;
  };
  const Case cases[] = {
      {404, "NoSuchKey", S3ErrorKind::NotFound},
      {404, "NoSuchBucket", S3ErrorKind::NotFound},
      {403, "SignatureDoesNotMatch", S3ErrorKind::AccessDenied},
      {403, "InvalidAccessKeyId", S3ErrorKind::AccessDenied},
      {503, "SlowDown", S3ErrorKind::Throttled},
      {429, "", S3ErrorKind::Throttled},
      {500, "InternalError", S3ErrorKind::Unavailable},
      {400, "RequestTimeout", S3ErrorKind::Unavailable},
      {400, "InvalidArgument", S3ErrorKind::InvalidRequest},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(classifyS3Error(c.status, c.code), c.want) << c.status << " " << c.code;
  }
  const S3Error e(S3ErrorKind::NotFound, 404, "NoSuchKey", "The specified key does not exist.",
                  "s3://b/k");
  EXPECT_STREQ(e.what(), "s3://b/k: not found (HTTP 404 NoSuchKey): The specified key does not exist.");
}

}  // namespace
}  // namespace sluice::runner

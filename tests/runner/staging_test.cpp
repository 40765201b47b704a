// The pure part of staging: where a listed object lands under a prefix input.
#include "staging.h"

#include <gtest/gtest.h>

namespace sluice::runner {
namespace {

std::string stagingError(const S3Uri& prefix, const std::string& key) {
  try {
    listedObjectPath(prefix, key);
  } catch (const StagingError& e) {
    return e.what();
  }
  return "";
}

TEST(ListedObjectPath, MapsKeysBelowThePrefix) {
  const S3Uri prefix{"bkt", "run/in/"};
  ListedObjectPath file = listedObjectPath(prefix, "run/in/a/b.txt");
  EXPECT_EQ(file.rel, "a/b.txt");
  EXPECT_FALSE(file.directory);
  ListedObjectPath dir = listedObjectPath(prefix, "run/in/a/");
  EXPECT_EQ(dir.rel, "a");
  EXPECT_TRUE(dir.directory);
  EXPECT_EQ(listedObjectPath(prefix, "run/in/").rel, "") << "the prefix's own marker object";
  EXPECT_EQ(listedObjectPath(S3Uri{"bkt", ""}, "x/y").rel, "x/y");
}

TEST(ListedObjectPath, EmptyOrMissingKeyIsAStagingErrorNamingThePrefix) {
  // A <Contents> without <Key> lists as "": this once read key.back() of it.
  EXPECT_EQ(stagingError(S3Uri{"bkt", "run/in/"}, ""),
            "the listing of s3://bkt/run/in/ has an object with an empty or missing key");
  EXPECT_EQ(stagingError(S3Uri{"bkt", ""}, ""),
            "the listing of s3://bkt/ has an object with an empty or missing key");
}

TEST(ListedObjectPath, KeysNotBelowThePrefixAreRefused) {
  const S3Uri prefix{"bkt", "run/in/"};
  // Shorter than the prefix (once a std::out_of_range), and as long as it
  // (once silently skipped as the marker object).
  EXPECT_EQ(stagingError(prefix, "run/"),
            "the listing of s3://bkt/run/in/ has the object key 'run/', which is not below the prefix");
  EXPECT_EQ(stagingError(prefix, "other/x"),
            "the listing of s3://bkt/run/in/ has the object key 'other/x', which is not below the prefix");
  EXPECT_NE(stagingError(prefix, "elsewhere/a/b"), "");
}

TEST(ListedObjectPath, UnsafeSegmentsAreRefused) {
  const S3Uri prefix{"bkt", "run/in/"};
  for (const char* key : {"run/in/../x", "run/in/./x", "run/in/a//b", "run/in//", "run/in/a/.."}) {
    EXPECT_NE(stagingError(prefix, key).find("unsafe path segment"), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace sluice::runner

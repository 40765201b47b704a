#include <gtest/gtest.h>

#include "kube/error.h"
#include "kube/result.h"

namespace sluice::kube {
namespace {

std::string status_body(int code, const std::string& reason, const std::string& message) {
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")" +
         message + R"(","reason":")" + reason + R"(","code":)" + std::to_string(code) + "}";
}

struct DecodeCase {
  const char* name;
  int code;
  std::string body;
  ErrorKind kind;
  std::string reason;
  std::string message;
};

void PrintTo(const DecodeCase& c, std::ostream* os) { *os << c.name; }


class ErrorDecodeTest : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(ErrorDecodeTest, DecodesKindReasonAndMessage) {
  const auto& c = GetParam();
  Error e = error_from_response(c.code, c.body);
  EXPECT_EQ(e.kind, c.kind) << to_string(e.kind);
  EXPECT_EQ(e.http_code, c.code);
  EXPECT_EQ(e.reason, c.reason);
  EXPECT_EQ(e.message, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, ErrorDecodeTest,
    ::testing::Values(
        DecodeCase{"NotFound", 404, status_body(404, "NotFound", R"(configmaps \"x\" not found)"),
                   ErrorKind::NotFound, "NotFound", "configmaps \"x\" not found"},
        DecodeCase{"AlreadyExists", 409, status_body(409, "AlreadyExists", "exists"),
                   ErrorKind::AlreadyExists, "AlreadyExists", "exists"},
        DecodeCase{"Conflict", 409, status_body(409, "Conflict", "the object has been modified"),
                   ErrorKind::Conflict, "Conflict", "the object has been modified"},
        DecodeCase{"Invalid", 422, status_body(422, "Invalid", "bad name"), ErrorKind::Invalid,
                   "Invalid", "bad name"},
        DecodeCase{"Forbidden", 403, status_body(403, "Forbidden", "no"), ErrorKind::Forbidden,
                   "Forbidden", "no"},
        DecodeCase{"Unauthorized", 401, status_body(401, "Unauthorized", "Unauthorized"),
                   ErrorKind::Unauthorized, "Unauthorized", "Unauthorized"},
        DecodeCase{"Gone", 410, status_body(410, "Gone", "too old"), ErrorKind::Gone, "Gone",
                   "too old"},
        DecodeCase{"Expired", 410, status_body(410, "Expired", "too old resource version"),
                   ErrorKind::Gone, "Expired", "too old resource version"},
        DecodeCase{"TooManyRequests", 429, status_body(429, "TooManyRequests", "slow down"),
                   ErrorKind::TooManyRequests, "TooManyRequests", "slow down"},
        DecodeCase{"InternalError", 500, status_body(500, "InternalError", "boom"),
                   ErrorKind::ServerError, "InternalError", "boom"},
        DecodeCase{"ServiceUnavailable", 503, status_body(503, "ServiceUnavailable", "later"),
                   ErrorKind::Unavailable, "ServiceUnavailable", "later"},
        DecodeCase{"BadRequest", 400, status_body(400, "BadRequest", "bad"),
                   ErrorKind::BadRequest, "BadRequest", "bad"},
        DecodeCase{"UnknownReasonUsesCode", 404, status_body(404, "Whatever", "m"),
                   ErrorKind::NotFound, "Whatever", "m"},
        DecodeCase{"PlainTextBody", 502, "Bad Gateway", ErrorKind::ServerError, "", "Bad Gateway"},
        DecodeCase{"EmptyBody", 418, "", ErrorKind::Other, "", ""},
        DecodeCase{"JsonNotStatus", 404, R"({"kind":"ConfigMap"})", ErrorKind::NotFound, "",
                   R"({"kind":"ConfigMap"})"}),
    [](const ::testing::TestParamInfo<DecodeCase>& info) { return info.param.name; });

TEST(ErrorTest, LongNonStatusBodyIsTruncated) {
  Error e = error_from_response(500, std::string(5000, 'x'));
  EXPECT_LT(e.message.size(), 600u);
}

TEST(ErrorTest, RetryAfterFromStatusDetailsAndHeader) {
  Error from_details = error_from_response(
      429,
      R"({"kind":"Status","reason":"TooManyRequests","code":429,"details":{"retryAfterSeconds":7}})");
  ASSERT_TRUE(from_details.retry_after.has_value());
  EXPECT_EQ(from_details.retry_after->count(), 7);

  Error from_header = error_from_response(503, "", std::chrono::seconds(3));
  ASSERT_TRUE(from_header.retry_after.has_value());
  EXPECT_EQ(from_header.retry_after->count(), 3);
}

TEST(ErrorTest, ParseRetryAfter) {
  EXPECT_EQ(parse_retry_after("5")->count(), 5);
  EXPECT_EQ(parse_retry_after(" 12 ")->count(), 12);
  EXPECT_FALSE(parse_retry_after("").has_value());
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  EXPECT_FALSE(parse_retry_after("-1").has_value());
  EXPECT_FALSE(parse_retry_after("99999999999999").has_value());
}

TEST(ErrorTest, WatchErrorEventStatus) {
  auto status = web::json::value::parse(
      R"j({"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410})j");
  Error e = error_from_status(status);
  EXPECT_EQ(e.kind, ErrorKind::Gone);
  EXPECT_EQ(e.http_code, 410);
}

TEST(ErrorTest, StatusNumbersOutsideInt32OrNotWholeAreIgnored) {
  // 2^32 + 410 truncated to an int32 would read as 410 Gone.
  for (const char* code : {"4294967706", "1e300", "-1e300", "3e9", "410.5"}) {
    auto status = web::json::value::parse(std::string(R"({"kind":"Status","code":)") + code + "}");
    Error e = error_from_status(status);
    EXPECT_EQ(e.http_code, 0) << code;
    EXPECT_EQ(e.kind, ErrorKind::Other) << code;
  }
  EXPECT_EQ(error_from_status(web::json::value::parse(R"({"code":410.0})")).http_code, 410);
  EXPECT_EQ(error_from_status(web::json::value::parse(R"({"code":-2147483648})")).http_code, INT32_MIN);

  auto retry_after = [](const char* seconds) {
    return error_from_response(
        429, std::string(R"({"kind":"Status","code":429,"details":{"retryAfterSeconds":)") + seconds + "}}")
        .retry_after;
  };
  // 2^32 + 1 truncated to an int32 would be 1 s.
  for (const char* s : {"4294967297", "1e300", "-1e300", "3e9", "1.5", "0", "-4"}) {
    EXPECT_FALSE(retry_after(s).has_value()) << s;
  }
  ASSERT_TRUE(retry_after("7").has_value());
  EXPECT_EQ(retry_after("7")->count(), 7);
  ASSERT_TRUE(retry_after("2147483647").has_value());
  EXPECT_EQ(retry_after("2147483647")->count(), 2147483647);
}

TEST(ErrorTest, RetryableKinds) {
  EXPECT_TRUE(error_from_response(429, "").is_retryable());
  EXPECT_TRUE(error_from_response(500, "").is_retryable());
  EXPECT_TRUE(error_from_response(503, "").is_retryable());
  EXPECT_TRUE(transport_error("reset").is_retryable());
  EXPECT_FALSE(error_from_response(404, "").is_retryable());
  EXPECT_FALSE(error_from_response(409, "").is_retryable());
  EXPECT_FALSE(config_error("x").is_retryable());
}

TEST(ErrorTest, ToStringNamesKindCodeReasonMessage) {
  Error e = error_from_response(409, status_body(409, "Conflict", "stale"));
  EXPECT_EQ(e.to_string(), "Conflict (409 Conflict): stale");
  EXPECT_EQ(transport_error("connection refused").to_string(), "Unavailable: connection refused");
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good = 3;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  EXPECT_THROW(good.error(), std::logic_error);

  Result<int> bad = transport_error("down");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::Unavailable);
  EXPECT_THROW(bad.value(), std::logic_error);

  Result<void> done;
  EXPECT_TRUE(done.ok());
  Result<void> failed = config_error("x");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, ErrorKind::Config);
}

}  // namespace
}  // namespace sluice::kube

// The one error type of the S3 client: a kind callers branch on, plus what
// S3 said (HTTP status, its <Code> and <Message>) so messages stay useful.
#pragma once

#include <stdexcept>
#include <string>

namespace sluice::runner {

enum class S3ErrorKind {
  NotFound,      // 404 / NoSuchKey / NoSuchBucket
  AccessDenied,  // 401/403: wrong credentials, signature mismatch, policy
  Throttled,     // 429 / SlowDown, after the retries ran out
  Unavailable,   // network failure or 5xx, after the retries ran out
  InvalidRequest,  // other 4xx: the request itself is wrong
  LocalIo,       // reading or writing a local file failed
};

const char* toString(S3ErrorKind kind);

class S3Error : public std::runtime_error {
 public:
  S3Error(S3ErrorKind kind, int httpStatus, std::string code, std::string message,
          std::string resource);

  S3ErrorKind kind() const { return kind_; }
  int httpStatus() const { return httpStatus_; }  // 0 when no response came
  const std::string& code() const { return code_; }        // e.g. "NoSuchKey"
  const std::string& s3Message() const { return message_; }
  const std::string& resource() const { return resource_; }  // "s3://bucket/key"

 private:
  S3ErrorKind kind_;
  int httpStatus_;
  std::string code_;
  std::string message_;
  std::string resource_;
};

// Kind for a response status and S3 error code.
S3ErrorKind classifyS3Error(int httpStatus, const std::string& code);

}  // namespace sluice::runner

#include "s3_error.h"

namespace sluice::runner {
namespace {

std::string describe(S3ErrorKind kind, int status, const std::string& code,
                     const std::string& message, const std::string& resource) {
  std::string out = resource + ": " + toString(kind);
  if (status != 0) out += " (HTTP " + std::to_string(status);
  if (status != 0 && !code.empty()) out += " " + code;
  if (status != 0) out += ")";
  if (!message.empty()) out += ": " + message;
  return out;
}

}  // namespace

const char* toString(S3ErrorKind kind) {
  switch (kind) {
    case S3ErrorKind::NotFound: return "not found";
    case S3ErrorKind::AccessDenied: return "access denied";
    case S3ErrorKind::Throttled: return "throttled";
    case S3ErrorKind::Unavailable: return "unavailable";
    case S3ErrorKind::InvalidRequest: return "invalid request";
    case S3ErrorKind::LocalIo: return "local I/O error";
  }
  return "error";
}

S3Error::S3Error(S3ErrorKind kind, int httpStatus, std::string code, std::string message,
                 std::string resource)
    : std::runtime_error(describe(kind, httpStatus, code, message, resource)),
      kind_(kind),
      httpStatus_(httpStatus),
      code_(std::move(code)),
      message_(std::move(message)),
      resource_(std::move(resource)) {}

S3ErrorKind classifyS3Error(int status, const std::string& code) {
  if (code == "SlowDown" || code == "Throttling" || code == "ThrottlingException" ||
      code == "RequestLimitExceeded" || status == 429) {
    return S3ErrorKind::Throttled;
  }
  if (status == 404 || code == "NoSuchKey" || code == "NoSuchBucket" || code == "NoSuchUpload") {
    return S3ErrorKind::NotFound;
  }
  if (status == 401 || status == 403 || code == "AccessDenied" ||
      code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId") {
    return S3ErrorKind::AccessDenied;
  }
  if (status >= 500 || code == "InternalError" || code == "RequestTimeout") {
    return S3ErrorKind::Unavailable;
  }
  return S3ErrorKind::InvalidRequest;
}

}  // namespace sluice::runner

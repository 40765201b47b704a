#include "kube/error.h"

#include <cctype>
#include <map>

#include "kube/json_number.h"

namespace sluice::kube {
namespace {

ErrorKind kind_from_code(int code) {
  switch (code) {
    case 400: return ErrorKind::BadRequest;
    case 401: return ErrorKind::Unauthorized;
    case 403: return ErrorKind::Forbidden;
    case 404: return ErrorKind::NotFound;
    case 409: return ErrorKind::Conflict;
    case 410: return ErrorKind::Gone;
    case 422: return ErrorKind::Invalid;
    case 429: return ErrorKind::TooManyRequests;
    case 503: return ErrorKind::Unavailable;
    default: break;
  }
  if (code >= 500 && code <= 599) return ErrorKind::ServerError;
  return ErrorKind::Other;
}

// Status.reason is more precise than the code (409 is both AlreadyExists and
// Conflict; a 410 during a watch may come as reason Expired), so it wins.
std::optional<ErrorKind> kind_from_reason(const std::string& reason) {
  static const std::map<std::string, ErrorKind> kinds = {
      {"NotFound", ErrorKind::NotFound},
      {"AlreadyExists", ErrorKind::AlreadyExists},
      {"Conflict", ErrorKind::Conflict},
      {"Invalid", ErrorKind::Invalid},
      {"BadRequest", ErrorKind::BadRequest},
      {"Forbidden", ErrorKind::Forbidden},
      {"Unauthorized", ErrorKind::Unauthorized},
      {"Gone", ErrorKind::Gone},
      {"Expired", ErrorKind::Gone},
      {"TooManyRequests", ErrorKind::TooManyRequests},
      {"InternalError", ErrorKind::ServerError},
      {"Timeout", ErrorKind::ServerError},
      {"ServerTimeout", ErrorKind::ServerError},
      {"ServiceUnavailable", ErrorKind::Unavailable},
  };
  auto it = kinds.find(reason);
  if (it == kinds.end()) return std::nullopt;
  return it->second;
}

std::string string_field(const web::json::value& v, const char* name) {
  if (v.is_object() && v.has_string_field(name)) return v.at(name).as_string();
  return {};
}

// The field as an int32, or nullopt when it is missing or not a whole number
// in int32 range.
std::optional<int> int32_field(const web::json::value& v, const char* name) {
  if (!v.is_object() || !v.has_field(name)) return std::nullopt;
  return asInt32(v.at(name));
}

}  // namespace

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::NotFound: return "NotFound";
    case ErrorKind::AlreadyExists: return "AlreadyExists";
    case ErrorKind::Conflict: return "Conflict";
    case ErrorKind::Invalid: return "Invalid";
    case ErrorKind::BadRequest: return "BadRequest";
    case ErrorKind::Forbidden: return "Forbidden";
    case ErrorKind::Unauthorized: return "Unauthorized";
    case ErrorKind::Gone: return "Gone";
    case ErrorKind::TooManyRequests: return "TooManyRequests";
    case ErrorKind::ServerError: return "ServerError";
    case ErrorKind::Unavailable: return "Unavailable";
    case ErrorKind::Cancelled: return "Cancelled";
    case ErrorKind::Config: return "Config";
    case ErrorKind::Decode: return "Decode";
    case ErrorKind::Other: return "Other";
  }
  return "Unknown";
}

std::string Error::to_string() const {
  std::string out = kube::to_string(kind);
  if (http_code != 0 || !reason.empty()) {
    out += " (";
    if (http_code != 0) out += std::to_string(http_code);
    if (http_code != 0 && !reason.empty()) out += ' ';
    out += reason;
    out += ')';
  }
  if (!message.empty()) out += ": " + message;
  return out;
}

bool Error::is_retryable() const {
  return kind == ErrorKind::TooManyRequests || kind == ErrorKind::ServerError ||
         kind == ErrorKind::Unavailable;
}

Error error_from_status(const web::json::value& status) {
  Error e;
  if (auto code = int32_field(status, "code")) e.http_code = *code;
  e.reason = string_field(status, "reason");
  e.message = string_field(status, "message");
  auto from_reason = kind_from_reason(e.reason);
  e.kind = from_reason ? *from_reason : kind_from_code(e.http_code);
  if (status.is_object() && status.has_object_field("details")) {
    const auto& details = status.at("details");
    if (auto s = int32_field(details, "retryAfterSeconds"); s && *s > 0) {
      e.retry_after = std::chrono::seconds(*s);
    }
  }
  return e;
}

Error error_from_response(int http_code, const std::string& body,
                          std::optional<std::chrono::seconds> retry_after_header) {
  Error e;
  web::json::value status;
  try {
    status = web::json::value::parse(body);
  } catch (const std::exception&) {
    status = web::json::value::null();
  }
  if (status.is_object() && string_field(status, "kind") == "Status") {
    e = error_from_status(status);
    // The HTTP status line is authoritative for the code; Status.code can be 0.
    e.http_code = http_code;
    if (!kind_from_reason(e.reason)) e.kind = kind_from_code(http_code);
  } else {
    e.http_code = http_code;
    e.kind = kind_from_code(http_code);
    constexpr size_t kMaxBody = 512;
    e.message = body.size() > kMaxBody ? body.substr(0, kMaxBody) + "..." : body;
  }
  if (retry_after_header && !e.retry_after) e.retry_after = retry_after_header;
  return e;
}

std::optional<std::chrono::seconds> parse_retry_after(const std::string& header) {
  size_t begin = header.find_first_not_of(" \t");
  size_t end = header.find_last_not_of(" \t");
  if (begin == std::string::npos) return std::nullopt;
  std::string digits = header.substr(begin, end - begin + 1);
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::chrono::seconds(std::stol(digits));
}

Error transport_error(const std::string& message) {
  return Error{ErrorKind::Unavailable, 0, "", message, std::nullopt};
}
Error config_error(const std::string& message) {
  return Error{ErrorKind::Config, 0, "", message, std::nullopt};
}
Error decode_error(const std::string& message) {
  return Error{ErrorKind::Decode, 0, "", message, std::nullopt};
}

}  // namespace sluice::kube

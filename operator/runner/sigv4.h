// AWS Signature Version 4, header form, as pure functions (no clock, no I/O)
// so it can be checked against AWS's published vectors.
//
// S3 flavour: the canonical URI is the path exactly as sent (each key
// segment URI-encoded once, '/' kept), never normalised or double-encoded.
// The suite vectors used in the tests (vanilla, query order, header trim,
// unreserved path, session token) sign identically under both flavours.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace sluice::runner {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryList = std::vector<std::pair<std::string, std::string>>;

struct SigningCredentials {
  std::string accessKeyId;
  std::string secretAccessKey;
  std::string sessionToken;  // empty when not temporary credentials
};

struct SigningRequest {
  std::string method;        // "GET", "PUT", ...
  std::string canonicalUri;  // the encoded path as sent, e.g. "/bucket/a%20b"
  QueryList query;           // decoded names and values; order irrelevant
  HeaderList headers;        // every header to sign (must include host, x-amz-date)
  std::string payloadHash;   // lower-case hex SHA-256 or "UNSIGNED-PAYLOAD"
};

struct SigV4Result {
  std::string canonicalRequest;
  std::string stringToSign;
  std::string signedHeaders;  // "host;x-amz-date"
  std::string signature;      // hex
  std::string authorization;  // value of the Authorization header
};

// Signs `request` made at `amzDate` ("YYYYMMDDTHHMMSSZ"). Pure.
SigV4Result signV4(const SigningRequest& request, const SigningCredentials& credentials,
                   const std::string& region, const std::string& service,
                   const std::string& amzDate);

// RFC 3986 encoding as SigV4 defines it: unreserved A-Za-z0-9-._~ kept,
// everything else %XX with upper-case hex; '/' kept unless encodeSlash.
std::string uriEncode(const std::string& in, bool encodeSlash);

// name=value pairs, both encoded, sorted by name then value, joined by '&'.
std::string canonicalQueryString(const QueryList& query);

// "YYYYMMDDTHHMMSSZ" in UTC.
std::string formatAmzDate(std::chrono::system_clock::time_point t);

inline constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr const char* kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace sluice::runner

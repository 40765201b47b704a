#include "sigv4.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "crypto.h"

namespace sluice::runner {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Trims and collapses runs of spaces, as the canonical header form requires.
std::string trimAll(const std::string& v) {
  std::string out;
  bool pendingSpace = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pendingSpace = !out.empty();
      continue;
    }
    if (pendingSpace) out.push_back(' ');
    pendingSpace = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string uriEncode(const std::string& in, bool encodeSlash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size() * 3);
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (c == '/' && !encodeSlash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
  }
  return out;
}

std::string canonicalQueryString(const QueryList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(uriEncode(k, true), uriEncode(v, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k + '=' + v;
  }
  return out;
}

std::string formatAmzDate(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

SigV4Result signV4(const SigningRequest& request, const SigningCredentials& credentials,
                   const std::string& region, const std::string& service,
                   const std::string& amzDate) {
  // Same-named headers are joined with ',' in the order given.
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    auto& slot = headers[lower(name)];
    slot = slot.empty() ? trimAll(value) : slot + "," + trimAll(value);
  }
  std::string canonicalHeaders;
  std::string signedHeaders;
  for (const auto& [name, value] : headers) {
    canonicalHeaders += name + ':' + value + '\n';
    if (!signedHeaders.empty()) signedHeaders += ';';
    signedHeaders += name;
  }

  SigV4Result r;
  r.signedHeaders = signedHeaders;
  r.canonicalRequest = request.method + '\n' + request.canonicalUri + '\n' +
                       canonicalQueryString(request.query) + '\n' + canonicalHeaders + '\n' +
                       signedHeaders + '\n' + request.payloadHash;

  const std::string date = amzDate.substr(0, 8);
  const std::string scope = date + '/' + region + '/' + service + "/aws4_request";
  r.stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + '\n' + scope + '\n' +
                   sha256Hex(r.canonicalRequest);

  const std::string kDate = hmacSha256("AWS4" + credentials.secretAccessKey, date);
  const std::string kRegion = hmacSha256(kDate, region);
  const std::string kService = hmacSha256(kRegion, service);
  const std::string kSigning = hmacSha256(kService, "aws4_request");
  r.signature = toHex(hmacSha256(kSigning, r.stringToSign));
  r.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId + '/' + scope +
                    ", SignedHeaders=" + signedHeaders + ", Signature=" + r.signature;
  return r;
}

}  // namespace sluice::runner

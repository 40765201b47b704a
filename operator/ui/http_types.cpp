#include "ui/http_types.h"

#include <cpprest/json.h>

namespace sluice::ui {

HttpResponse errorResponse(int status, const std::string& message) {
  web::json::value body = web::json::value::object();
  body["error"] = web::json::value::string(message);
  HttpResponse r;
  r.status = status;
  r.body = body.serialize();
  return r;
}

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; '+' is a space only in a query component.
bool decode(const std::string& in, bool plusIsSpace, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

}  // namespace

bool splitTarget(const std::string& target, std::string& path, std::map<std::string, std::string>& query) {
  query.clear();
  const auto q = target.find('?');
  if (!decode(target.substr(0, q), false, path)) return false;
  if (q == std::string::npos) return true;
  const std::string rest = target.substr(q + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = rest.find('&', start);
    if (end == std::string::npos) end = rest.size();
    const std::string pair = rest.substr(start, end - start);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      std::string k, v;
      if (!decode(pair.substr(0, eq), true, k)) return false;
      if (eq != std::string::npos && !decode(pair.substr(eq + 1), true, v)) return false;
      query[k] = v;
    }
    start = end + 1;
  }
  return true;
}

std::vector<std::string> pathSegments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace sluice::ui

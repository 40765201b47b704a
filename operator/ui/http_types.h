// The web view's requests and responses as plain data, so the routing, the
// access rules and the JSON handlers are pure and unit-tested without a
// socket. The Beast server (ui_server.cpp) converts to and from these.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sluice::ui {

struct HttpRequest {
  std::string method;                         // GET, POST, ...
  std::string path;                           // decoded, without the query
  std::map<std::string, std::string> query;   // decoded
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;

  std::string header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
  }
  std::string param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones (Set-Cookie, Location)
};

// {"error": message} with the status.
HttpResponse errorResponse(int status, const std::string& message);

// "/a/b%20c?x=1&y=%2F" -> path "/a/b c", query {x:1, y:/}. False when the
// percent-encoding is malformed.
bool splitTarget(const std::string& target, std::string& path, std::map<std::string, std::string>& query);

// "/api/namespaces/ns/executions" -> {"api","namespaces","ns","executions"}.
std::vector<std::string> pathSegments(const std::string& path);

}  // namespace sluice::ui

// Decoding of a watch response body: newline-delimited JSON events arriving
// in arbitrary chunks. Pure code, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <cpprest/json.h>

#include "kube/result.h"

namespace sluice::kube {

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };

struct WatchEvent {
  WatchEventType type = WatchEventType::Added;
  web::json::value object;  // the object, or a metav1.Status for Error
};

// Parses one event line. A line that is not a watch event is a Decode error.
Result<WatchEvent> parse_watch_event(const std::string& line);

// Splits a byte stream into lines. feed() returns the complete lines seen so
// far (without '\n', '\r' stripped, blank lines dropped); a partial line is kept for
// the next call. Keeping more than `max_line` bytes of an unfinished line
// is an error, so a broken server cannot make us buffer without bound (a
// line that ends within the chunk that carries it may be longer by up to
// that chunk; tests/kube/fuzz checks both).
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line = 256u << 20) : max_line_(max_line) {}
  Result<std::vector<std::string>> feed(const char* data, size_t size);
  size_t pending() const { return partial_.size(); }

 private:
  size_t max_line_;
  std::string partial_;
};

// Reads metadata fields without throwing; "" when absent.
std::string object_namespace(const web::json::value& obj);
std::string object_name(const web::json::value& obj);
std::string object_resource_version(const web::json::value& obj);
// A resourceVersion as the integer etcd makes it; nullopt for anything else.
// Kubernetes calls them opaque: compare them only where a wrong "unknown"
// costs nothing but an optimization (as client-go's mutation cache does).
std::optional<uint64_t> integer_resource_version(const std::string& text);
std::string object_uid(const web::json::value& obj);
// "namespace/name", or "name" for cluster-scoped objects.
std::string object_key(const web::json::value& obj);

}  // namespace sluice::kube

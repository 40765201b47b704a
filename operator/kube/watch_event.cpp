#include "kube/watch_event.h"

#include <charconv>

namespace sluice::kube {
namespace {

std::string metadata_string(const web::json::value& obj, const char* field) {
  if (!obj.is_object() || !obj.has_object_field("metadata")) return {};
  const auto& meta = obj.at("metadata");
  if (!meta.has_string_field(field)) return {};
  return meta.at(field).as_string();
}

}  // namespace

Result<WatchEvent> parse_watch_event(const std::string& line) {
  web::json::value v;
  try {
    v = web::json::value::parse(line);
  } catch (const std::exception& e) {
    return decode_error(std::string("watch event is not JSON: ") + e.what());
  }
  if (!v.is_object() || !v.has_string_field("type") || !v.has_object_field("object")) {
    return decode_error("watch event lacks type or object");
  }
  const auto& type = v.at("type").as_string();
  WatchEvent event;
  if (type == "ADDED") {
    event.type = WatchEventType::Added;
  } else if (type == "MODIFIED") {
    event.type = WatchEventType::Modified;
  } else if (type == "DELETED") {
    event.type = WatchEventType::Deleted;
  } else if (type == "BOOKMARK") {
    event.type = WatchEventType::Bookmark;
  } else if (type == "ERROR") {
    event.type = WatchEventType::Error;
  } else {
    return decode_error("unknown watch event type \"" + type + "\"");
  }
  event.object = std::move(v.at("object"));
  if (event.type != WatchEventType::Error && object_name(event.object).empty() &&
      event.type != WatchEventType::Bookmark) {
    return decode_error("watch event object has no metadata.name");
  }
  return event;
}

Result<std::vector<std::string>> LineSplitter::feed(const char* data, size_t size) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] != '\n') continue;
    partial_.append(data + start, i - start);
    start = i + 1;
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    if (!partial_.empty()) lines.push_back(std::move(partial_));
    partial_.clear();
  }
  partial_.append(data + start, size - start);
  if (partial_.size() > max_line_) {
    partial_.clear();
    return decode_error("watch event line exceeds " + std::to_string(max_line_) + " bytes");
  }
  return lines;
}

std::string object_namespace(const web::json::value& obj) { return metadata_string(obj, "namespace"); }
std::string object_name(const web::json::value& obj) { return metadata_string(obj, "name"); }
std::string object_resource_version(const web::json::value& obj) {
  return metadata_string(obj, "resourceVersion");
}
std::string object_uid(const web::json::value& obj) { return metadata_string(obj, "uid"); }

std::optional<uint64_t> integer_resource_version(const std::string& text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string object_key(const web::json::value& obj) {
  std::string ns = object_namespace(obj);
  return ns.empty() ? object_name(obj) : ns + "/" + object_name(obj);
}

}  // namespace sluice::kube

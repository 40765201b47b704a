#include "json_path.h"

#include <cpprest/json.h>

#include <cctype>
#include <charconv>
#include <vector>

namespace sluice::runner {
namespace {

using web::json::value;

struct Segment {
  std::string key;
  bool isIndex = false;
  std::size_t index = 0;
};

bool allDigits(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!std::isdigit(c)) return false;
  }
  return true;
}

std::vector<Segment> splitPath(const std::string& path) {
  std::string p = path;
  if (p.rfind("$.", 0) == 0) p = p.substr(2);
  if (p.empty()) throw JsonPathError("empty jsonPath");
  std::vector<Segment> out;
  std::string cur;
  auto pushKey = [&](bool allowEmpty) {
    if (cur.empty()) {
      if (!allowEmpty) throw JsonPathError("jsonPath '" + path + "' has an empty segment");
      return;
    }
    Segment s;
    s.key = cur;
    // A bare number addresses an array element (or a key, if an object).
    if (allDigits(cur)) {
      s.isIndex = true;
      s.index = std::stoul(cur);
    }
    out.push_back(s);
    cur.clear();
  };
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '.') {
      pushKey(!out.empty() && i > 0 && p[i - 1] == ']');
    } else if (c == '[') {
      pushKey(i > 0 && p[i - 1] == ']');
      const std::size_t close = p.find(']', i);
      const std::string idx = close == std::string::npos ? "" : p.substr(i + 1, close - i - 1);
      if (!allDigits(idx)) throw JsonPathError("jsonPath '" + path + "': bad index '[" + idx + "'");
      Segment s;
      s.key = idx;
      s.isIndex = true;
      s.index = std::stoul(idx);
      out.push_back(s);
      i = close;
    } else {
      cur.push_back(c);
    }
  }
  pushKey(!p.empty() && p.back() == ']');
  return out;
}

std::string render(const value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_boolean()) return v.as_bool() ? "true" : "false";
  if (v.is_null()) return "null";
  if (v.is_number()) {
    const auto& n = v.as_number();
    if (n.is_int64()) return std::to_string(n.to_int64());
    if (n.is_uint64()) return std::to_string(n.to_uint64());
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v.as_double());
    return std::string(buf, res.ptr);
  }
  return v.serialize();
}

}  // namespace

std::string extractJsonPath(const std::string& jsonText, const std::string& path) {
  const std::vector<Segment> segments = splitPath(path);
  value root;
  try {
    root = value::parse(jsonText);
  } catch (const web::json::json_exception& e) {
    throw JsonPathError(std::string("not valid JSON: ") + e.what());
  }
  const value* cur = &root;
  std::string at = "$";
  for (const Segment& s : segments) {
    if (cur->is_object()) {
      if (!cur->has_field(s.key)) {
        throw JsonPathError("jsonPath '" + path + "': no key '" + s.key + "' in the object at " + at);
      }
      cur = &cur->at(s.key);
      at += "." + s.key;
    } else if (cur->is_array() && s.isIndex) {
      if (s.index >= cur->size()) {
        throw JsonPathError("jsonPath '" + path + "': index " + s.key + " is out of range at " +
                            at + " (" + std::to_string(cur->size()) + " elements)");
      }
      cur = &cur->at(s.index);
      at += "[" + s.key + "]";
    } else {
      throw JsonPathError("jsonPath '" + path + "': cannot take '" + s.key + "' of the " +
                          (cur->is_array() ? "array" : "scalar") + " at " + at);
    }
  }
  return render(*cur);
}

}  // namespace sluice::runner

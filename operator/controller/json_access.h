// Reading API objects safely: everything the server sends is input, never
// trusted to have a shape. These return "" / 0 / nullptr for a missing field
// or a value of another type (or a number out of range) instead of throwing.
#pragma once

#include <cpprest/json.h>

#include <initializer_list>
#include <string>

#include "kube/json_number.h"

namespace sluice::controller {

// The value at path ({"metadata", "name"}), or nullptr.
inline const web::json::value* fieldAt(const web::json::value& v, std::initializer_list<const char*> path) {
  const web::json::value* cur = &v;
  for (const char* p : path) {
    if (!cur->is_object()) return nullptr;
    const auto& o = cur->as_object();
    auto it = o.find(p);
    if (it == o.end()) return nullptr;
    cur = &it->second;
  }
  return cur;
}

inline std::string stringAt(const web::json::value& v, std::initializer_list<const char*> path) {
  const web::json::value* f = fieldAt(v, path);
  return f && f->is_string() ? f->as_string() : "";
}

using kube::asInt32;
using kube::asInt64;

// 0 also for a number that is not a whole int32 (1.5, 3e9, 1e300).
inline int intAt(const web::json::value& v, std::initializer_list<const char*> path) {
  const web::json::value* f = fieldAt(v, path);
  return f ? asInt32(*f).value_or(0) : 0;
}

inline const web::json::value* arrayAt(const web::json::value& v, std::initializer_list<const char*> path) {
  const web::json::value* f = fieldAt(v, path);
  return f && f->is_array() ? f : nullptr;
}

}  // namespace sluice::controller

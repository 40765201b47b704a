// Small helpers to read typed fields out of cpprestsdk JSON objects while
// collecting Kubernetes-style FieldErrors ("spec.steps[0].name: Required
// value"). They never throw on bad input: a wrong type is an error entry and
// the output is left at its default.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <cpprest/json.h>

#include "model.h"

namespace sluice::pipeline::json {

using Value = web::json::value;

std::string join(const std::string& path, const std::string& key);   // "a" + "b" -> "a.b"
std::string index(const std::string& path, size_t i);                // "a" + 2 -> "a[2]"

// Collects errors under a path prefix; every read* takes the path of the
// object it reads from.
class Reader {
 public:
  explicit Reader(FieldErrors& errors) : errors_(errors) {}

  void error(const std::string& path, const std::string& message) { errors_.push_back({path, message}); }

  // The field's value when present and not null; reports "Required value"
  // when required and absent.
  const Value* field(const Value& obj, const std::string& path, const char* key, bool required = false);
  // The field as an object, or nullptr (with an error when it has another type).
  const Value* object(const Value& obj, const std::string& path, const char* key, bool required = false);

  void readString(const Value& obj, const std::string& path, const char* key, std::string& out,
                  bool required = false);
  void readString(const Value& obj, const std::string& path, const char* key, std::optional<std::string>& out);
  void readInt(const Value& obj, const std::string& path, const char* key, int& out, bool required = false);
  void readInt(const Value& obj, const std::string& path, const char* key, std::optional<int>& out);
  void readInt64(const Value& obj, const std::string& path, const char* key, int64_t& out);
  void readInt64(const Value& obj, const std::string& path, const char* key, std::optional<int64_t>& out);
  void readBool(const Value& obj, const std::string& path, const char* key, bool& out);
  // A string, or a number / boolean kept as its JSON text: Kubernetes
  // quantities (cpu: 1) and condition operands (right: 6) are written both ways.
  void readScalar(const Value& obj, const std::string& path, const char* key, std::string& out);
  void readScalarList(const Value& obj, const std::string& path, const char* key, std::vector<std::string>& out);
  void readStringList(const Value& obj, const std::string& path, const char* key, std::vector<std::string>& out);
  void readStringMap(const Value& obj, const std::string& path, const char* key,
                     std::map<std::string, std::string>& out);
  // Calls each(item, itemPath) for every element of an array of objects;
  // non-object elements are reported and skipped.
  void forEachObject(const Value& obj, const std::string& path, const char* key,
                     const std::function<void(const Value&, const std::string&)>& each, bool required = false);

 private:
  FieldErrors& errors_;
};

// Writers: omit empty values so that defaults survive a round trip.
void putString(Value& obj, const char* key, const std::string& v);  // omitted when empty
void putOptString(Value& obj, const char* key, const std::optional<std::string>& v);
void putStringList(Value& obj, const char* key, const std::vector<std::string>& v);  // omitted when empty

}  // namespace sluice::pipeline::json

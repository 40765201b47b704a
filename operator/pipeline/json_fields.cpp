#include "json_fields.h"

namespace sluice::pipeline::json {

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

const Value* Reader::field(const Value& obj, const std::string& path, const char* key, bool required) {
  if (obj.is_object()) {
    const auto& o = obj.as_object();
    auto it = o.find(key);
    if (it != o.end() && !it->second.is_null()) return &it->second;
  }
  if (required) error(join(path, key), "Required value");
  return nullptr;
}

const Value* Reader::object(const Value& obj, const std::string& path, const char* key, bool required) {
  const Value* v = field(obj, path, key, required);
  if (v && !v->is_object()) {
    error(join(path, key), "must be an object");
    return nullptr;
  }
  return v;
}

void Reader::readString(const Value& obj, const std::string& path, const char* key, std::string& out,
                        bool required) {
  const Value* v = field(obj, path, key, required);
  if (!v) return;
  if (!v->is_string()) return error(join(path, key), "must be a string");
  out = v->as_string();
}

void Reader::readString(const Value& obj, const std::string& path, const char* key,
                        std::optional<std::string>& out) {
  const Value* v = field(obj, path, key);
  if (!v) return;
  if (!v->is_string()) return error(join(path, key), "must be a string");
  out = v->as_string();
}

void Reader::readInt(const Value& obj, const std::string& path, const char* key, int& out, bool required) {
  const Value* v = field(obj, path, key, required);
  if (!v) return;
  if (!v->is_number() || !v->as_number().is_int32()) return error(join(path, key), "must be an integer");
  out = v->as_number().to_int32();
}

void Reader::readInt(const Value& obj, const std::string& path, const char* key, std::optional<int>& out) {
  int n = 0;
  if (!field(obj, path, key)) return;
  size_t before = errors_.size();
  readInt(obj, path, key, n);
  if (errors_.size() == before) out = n;
}

void Reader::readInt64(const Value& obj, const std::string& path, const char* key, int64_t& out) {
  const Value* v = field(obj, path, key);
  if (!v) return;
  if (!v->is_number() || !v->as_number().is_int64()) return error(join(path, key), "must be an integer");
  out = v->as_number().to_int64();
}

void Reader::readInt64(const Value& obj, const std::string& path, const char* key, std::optional<int64_t>& out) {
  int64_t n = 0;
  if (!field(obj, path, key)) return;
  size_t before = errors_.size();
  readInt64(obj, path, key, n);
  if (errors_.size() == before) out = n;
}

void Reader::readBool(const Value& obj, const std::string& path, const char* key, bool& out) {
  const Value* v = field(obj, path, key);
  if (!v) return;
  if (!v->is_boolean()) return error(join(path, key), "must be a boolean");
  out = v->as_bool();
}

void Reader::readScalar(const Value& obj, const std::string& path, const char* key, std::string& out) {
  const Value* v = field(obj, path, key);
  if (!v) return;
  if (v->is_string()) {
    out = v->as_string();
  } else if (v->is_number() || v->is_boolean()) {
    out = v->serialize();  // 1 -> "1", 0.5 -> "0.5", true -> "true"
  } else {
    error(join(path, key), "must be a string or a number");
  }
}

void Reader::readScalarList(const Value& obj, const std::string& path, const char* key,
                            std::vector<std::string>& out) {
  const Value* v = field(obj, path, key);
  if (!v) return;
  if (!v->is_array()) return error(join(path, key), "must be an array");
  const auto& arr = v->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    const Value& item = arr.at(i);
    if (item.is_string()) {
      out.push_back(item.as_string());
    } else if (item.is_number() || item.is_boolean()) {
      out.push_back(item.serialize());
    } else {
      error(index(join(path, key), i), "must be a string or a number");
    }
  }
}

void Reader::readStringList(const Value& obj, const std::string& path, const char* key,
                            std::vector<std::string>& out) {
  const Value* v = field(obj, path, key);
  if (!v) return;
  if (!v->is_array()) return error(join(path, key), "must be an array of strings");
  const auto& arr = v->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    if (arr.at(i).is_string()) {
      out.push_back(arr.at(i).as_string());
    } else {
      error(index(join(path, key), i), "must be a string");
    }
  }
}

void Reader::readStringMap(const Value& obj, const std::string& path, const char* key,
                           std::map<std::string, std::string>& out) {
  const Value* v = object(obj, path, key);
  if (!v) return;
  for (const auto& [k, val] : v->as_object()) {
    if (val.is_string()) {
      out[k] = val.as_string();
    } else {
      error(join(join(path, key), k), "must be a string");
    }
  }
}

void Reader::forEachObject(const Value& obj, const std::string& path, const char* key,
                           const std::function<void(const Value&, const std::string&)>& each, bool required) {
  const Value* v = field(obj, path, key, required);
  if (!v) return;
  if (!v->is_array()) return error(join(path, key), "must be an array");
  const auto& arr = v->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string itemPath = index(join(path, key), i);
    if (!arr.at(i).is_object()) {
      error(itemPath, "must be an object");
      continue;
    }
    each(arr.at(i), itemPath);
  }
}

void putString(Value& obj, const char* key, const std::string& v) {
  if (!v.empty()) obj[key] = Value::string(v);
}

void putOptString(Value& obj, const char* key, const std::optional<std::string>& v) {
  if (v) obj[key] = Value::string(*v);
}

void putStringList(Value& obj, const char* key, const std::vector<std::string>& v) {
  if (v.empty()) return;
  std::vector<Value> items;
  items.reserve(v.size());
  for (const auto& s : v) items.push_back(Value::string(s));
  obj[key] = Value::array(std::move(items));
}

}  // namespace sluice::pipeline::json

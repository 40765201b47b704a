#include "staging_spec.h"

#include <cpprest/json.h>

#include <set>

namespace sluice::runner {
namespace {

using web::json::value;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw StagingSpecError(where + ": " + what);
}

const value* field(const value& obj, const std::string& name) {
  if (!obj.has_field(name)) return nullptr;
  const value& v = obj.at(name);
  return v.is_null() ? nullptr : &v;
}

std::string requiredString(const value& obj, const std::string& name, const std::string& where) {
  const value* v = field(obj, name);
  if (v == nullptr) fail(where + "." + name, "required");
  if (!v->is_string()) fail(where + "." + name, "must be a string");
  if (v->as_string().empty()) fail(where + "." + name, "must not be empty");
  return v->as_string();
}

std::string optionalString(const value& obj, const std::string& name, const std::string& where,
                           const std::string& fallback) {
  const value* v = field(obj, name);
  if (v == nullptr) return fallback;
  if (!v->is_string()) fail(where + "." + name, "must be a string");
  return v->as_string();
}

std::optional<std::uint64_t> optionalSize(const value& obj, const std::string& name,
                                          const std::string& where) {
  const value* v = field(obj, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number() || !v->as_number().is_integral() || v->as_number().to_int64() <= 0) {
    fail(where + "." + name, "must be a positive integer");
  }
  return v->as_number().to_uint64();
}

S3Uri requiredUri(const value& obj, const std::string& where) {
  const std::string text = requiredString(obj, "uri", where);
  auto uri = parseS3Uri(text);
  if (!uri) fail(where + ".uri", "not an s3://BUCKET/KEY URI: '" + text + "'");
  return *uri;
}

std::string requiredAbsolutePath(const value& obj, const std::string& name,
                                 const std::string& where) {
  std::string p = requiredString(obj, name, where);
  if (p[0] != '/') fail(where + "." + name, "must be an absolute path: '" + p + "'");
  return p;
}

const web::json::array* optionalArray(const value& root, const std::string& name) {
  const value* v = field(root, name);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) fail(name, "must be an array");
  return &v->as_array();
}

void checkUnique(std::set<std::string>& seen, const std::string& name, const std::string& where) {
  if (!seen.insert(name).second) fail(where + ".name", "duplicate name '" + name + "'");
}

}  // namespace

StagingSpec parseStagingSpec(const std::string& json) {
  value root;
  try {
    root = value::parse(json);
  } catch (const web::json::json_exception& e) {
    throw StagingSpecError(std::string("not valid JSON: ") + e.what());
  }
  if (!root.is_object()) throw StagingSpecError("the staging spec must be a JSON object");

  StagingSpec spec;
  if (const auto* arr = optionalArray(root, "inputs")) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string where = "inputs[" + std::to_string(i) + "]";
      const value& item = arr->at(i);
      if (!item.is_object()) fail(where, "must be an object");
      InputSpec in{requiredString(item, "name", where), requiredUri(item, where),
                   requiredAbsolutePath(item, "path", where)};
      checkUnique(names, in.name, where);
      spec.inputs.push_back(std::move(in));
    }
  }
  if (const auto* arr = optionalArray(root, "outputs")) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string where = "outputs[" + std::to_string(i) + "]";
      const value& item = arr->at(i);
      if (!item.is_object()) fail(where, "must be an object");
      OutputSpec out{requiredString(item, "name", where), requiredAbsolutePath(item, "path", where),
                     requiredUri(item, where)};
      checkUnique(names, out.name, where);
      spec.outputs.push_back(std::move(out));
    }
  }
  if (const auto* arr = optionalArray(root, "properties")) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string where = "properties[" + std::to_string(i) + "]";
      const value& item = arr->at(i);
      if (!item.is_object()) fail(where, "must be an object");
      PropertySpec p{requiredString(item, "name", where), requiredAbsolutePath(item, "file", where),
                     requiredString(item, "jsonPath", where)};
      checkUnique(names, p.name, where);
      spec.properties.push_back(std::move(p));
    }
  }
  const value* store = field(root, "store");
  if (store == nullptr) fail("store", "required");
  if (!store->is_object()) fail("store", "must be an object");
  spec.store.endpoint = requiredString(*store, "endpoint", "store");
  const std::string& ep = spec.store.endpoint;
  if (ep.rfind("http://", 0) != 0 && ep.rfind("https://", 0) != 0) {
    fail("store.endpoint", "must start with http:// or https://: '" + ep + "'");
  }
  spec.store.region = optionalString(*store, "region", "store", "us-east-1");
  if (spec.store.region.empty()) spec.store.region = "us-east-1";
  if (const value* v = field(*store, "forcePathStyle")) {
    if (!v->is_boolean()) fail("store.forcePathStyle", "must be a boolean");
    spec.store.forcePathStyle = v->as_bool();
  }
  spec.store.caFile = optionalString(*store, "caFile", "store", "");
  spec.store.multipartThresholdBytes = optionalSize(*store, "multipartThresholdBytes", "store");
  spec.store.partSizeBytes = optionalSize(*store, "partSizeBytes", "store");
  return spec;
}

}  // namespace sluice::runner

#include "cache_key.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

namespace sluice::pipeline {

namespace {

void appendString(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void appendCanonical(std::string& out, const web::json::value& v) {
  switch (v.type()) {
    case web::json::value::Null: out += "null"; break;
    case web::json::value::Boolean: out += v.as_bool() ? "true" : "false"; break;
    case web::json::value::Number: out += v.serialize(); break;
    case web::json::value::String: appendString(out, v.as_string()); break;
    case web::json::value::Array: {
      out += '[';
      const auto& a = v.as_array();
      for (size_t i = 0; i < a.size(); ++i) {
        if (i) out += ',';
        appendCanonical(out, a.at(i));
      }
      out += ']';
      break;
    }
    case web::json::value::Object: {
      std::vector<std::pair<std::string, const web::json::value*>> fields;
      for (const auto& kv : v.as_object()) fields.emplace_back(kv.first, &kv.second);
      std::sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        appendString(out, fields[i].first);
        out += ':';
        appendCanonical(out, *fields[i].second);
      }
      out += '}';
      break;
    }
  }
}

web::json::value stringArray(const std::vector<std::string>& xs) {
  auto a = web::json::value::array(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) a[i] = web::json::value::string(xs[i]);
  return a;
}

}  // namespace

std::string canonicalJson(const web::json::value& v) {
  std::string out;
  appendCanonical(out, v);
  return out;
}

std::string sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) return {};
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

std::string computeCacheKey(const CacheKeyMaterial& m) {
  using web::json::value;
  value doc = value::object();
  doc["image"] = value::string(m.image);
  doc["command"] = stringArray(m.command);
  doc["args"] = stringArray(m.args);

  auto env = m.env;
  std::stable_sort(env.begin(), env.end(), [](const EnvVar& a, const EnvVar& b) { return a.name < b.name; });
  value envJson = value::array(env.size());
  for (size_t i = 0; i < env.size(); ++i) {
    value e = value::object();
    e["name"] = value::string(env[i].name);
    e["value"] = value::string(env[i].value);
    envJson[i] = e;
  }
  doc["env"] = envJson;

  auto inputs = m.inputs;
  std::stable_sort(inputs.begin(), inputs.end());
  value in = value::array(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    value e = value::object();
    e["name"] = value::string(inputs[i].first);
    e["uri"] = value::string(inputs[i].second);
    in[i] = e;
  }
  doc["inputs"] = in;

  auto outs = m.outputNames;
  std::sort(outs.begin(), outs.end());
  doc["outputs"] = stringArray(outs);
  doc["cacheVersion"] = value::string(m.cacheVersion);

  // Only when declared: keys of steps without properties stay byte-identical.
  if (!m.properties.empty()) {
    auto props = m.properties;
    std::stable_sort(props.begin(), props.end(),
                     [](const PropertySpec& a, const PropertySpec& b) { return a.name < b.name; });
    value pj = value::array(props.size());
    for (size_t i = 0; i < props.size(); ++i) {
      value e = value::object();
      e["name"] = value::string(props[i].name);
      e["file"] = value::string(props[i].file);
      e["jsonPath"] = value::string(props[i].jsonPath);
      pj[i] = e;
    }
    doc["properties"] = pj;
  }
  return "sha256:" + sha256Hex(canonicalJson(doc));
}

const CacheEntry* findCacheHit(const CacheIndex& index, const std::string& key,
                               std::optional<int64_t> expireAfterSeconds, UnixSeconds now,
                               const std::vector<PropertySpec>& declared) {
  const auto hasEveryProperty = [&](const CacheEntry& e) {
    return std::all_of(declared.begin(), declared.end(), [&](const PropertySpec& d) {
      return std::any_of(e.properties.begin(), e.properties.end(),
                         [&](const PropertyStatus& p) { return p.name == d.name; });
    });
  };
  const CacheEntry* best = nullptr;
  index.forEachWithKey(key, [&](const CacheEntry& e) {
    if (expireAfterSeconds && now - e.endTime >= *expireAfterSeconds) return;
    // Defensive: the key covers the declarations, but an entry written
    // otherwise (by hand, by an older operator) must not serve a step a
    // result without a property it declares.
    if (!hasEveryProperty(e)) return;
    // Newest wins; ties go to the execution name so the choice is stable.
    if (!best || e.endTime > best->endTime || (e.endTime == best->endTime && e.execution > best->execution))
      best = &e;
  });
  return best;
}

const CacheSpec& effectiveCache(const StepSpec& step, const StepDefaults& defaults) {
  return step.cache ? *step.cache : defaults.cache;
}

bool anyStepCached(const PipelineSpec& spec) {
  for (const auto& step : spec.steps)
    if (effectiveCache(step, spec.defaults).enabled) return true;
  return false;
}

}  // namespace sluice::pipeline

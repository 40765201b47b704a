#include "cli/object_output.h"

#include <cctype>

#include <yaml-cpp/yaml.h>

namespace sluice::cli {

using web::json::value;

namespace {

void emit(YAML::Emitter& e, const value& v) {
  switch (v.type()) {
    case value::Object: {
      e << YAML::BeginMap;
      for (const auto& [k, x] : v.as_object()) {
        e << YAML::Key << k << YAML::Value;
        emit(e, x);
      }
      e << YAML::EndMap;
      break;
    }
    case value::Array: {
      e << YAML::BeginSeq;
      for (const auto& x : v.as_array()) emit(e, x);
      e << YAML::EndSeq;
      break;
    }
    case value::String: {
      const std::string& s = v.as_string();
      // A string YAML would read back as something else is quoted.
      YAML::Node probe;
      bool plain = true;
      try {
        probe = YAML::Load(s);
        plain = probe.IsScalar() && probe.Tag() == "?" && probe.Scalar() == s;
        if (plain) {
          // Scalars yaml-cpp would resolve as bool/number/null.
          static const char* special[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "True",
                                          "False", "Yes", "No", "On", "Off", "Null", "NULL", "TRUE", "FALSE", "y", "n", ""};
          for (const char* sp : special)
            if (s == sp) plain = false;
          if (plain && !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.' || s[0] == '+')) plain = false;
        }
      } catch (const YAML::Exception&) {
        plain = false;
      }
      if (plain) e << s;
      else e << YAML::DoubleQuoted << s;
      break;
    }
    case value::Number:
      e << v.serialize();
      break;
    case value::Boolean:
      e << (v.as_bool() ? "true" : "false");
      break;
    case value::Null:
    default:
      e << YAML::Null;
      break;
  }
}

void indentJson(const value& v, int depth, std::string& out) {
  const std::string pad(2 * static_cast<size_t>(depth + 1), ' '), end(2 * static_cast<size_t>(depth), ' ');
  if (v.is_object() && v.size() > 0) {
    out += "{\n";
    size_t i = 0;
    for (const auto& [k, x] : v.as_object()) {
      out += pad + value::string(k).serialize() + ": ";
      indentJson(x, depth + 1, out);
      out += (++i < v.size() ? ",\n" : "\n");
    }
    out += end + "}";
  } else if (v.is_array() && v.size() > 0) {
    out += "[\n";
    for (size_t i = 0; i < v.size(); ++i) {
      out += pad;
      indentJson(v.at(i), depth + 1, out);
      out += (i + 1 < v.size() ? ",\n" : "\n");
    }
    out += end + "]";
  } else {
    out += v.serialize();
  }
}

}  // namespace

std::string toYaml(const value& v) {
  YAML::Emitter e;
  emit(e, v);
  return std::string(e.c_str()) + "\n";
}

std::string toPrettyJson(const value& v) {
  std::string out;
  indentJson(v, 0, out);
  return out + "\n";
}

std::string executionResourceName(const std::string& name) { return "pipelineexecution.sluice.dev/" + name; }

}  // namespace sluice::cli

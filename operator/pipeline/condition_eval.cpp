#include "condition_eval.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace sluice::pipeline {

bool parseDecimalNumber(const std::string& v, double& out) {
  if (v.empty()) return false;
  for (char c : v)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E')
      return false;
  errno = 0;
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (end != v.c_str() + v.size() || errno == ERANGE || !std::isfinite(d)) return false;
  out = d;
  return true;
}

namespace {

using Result = std::variant<bool, std::string>;

struct Evaluator {
  const RefResolver& resolve;

  // Rendered operand, or an error message in err.
  bool operand(const std::string& text, const std::string& where, std::string& value, std::string& err) {
    auto r = renderString(text, resolve);
    if (auto* e = std::get_if<ExprError>(&r)) {
      err = where + ": " + e->message;
      return false;
    }
    value = std::get<std::string>(r);
    return true;
  }

  Result compare(const Condition& c, const std::string& where) {
    std::string l, r, err;
    if (!operand(c.left, where + ".left", l, err) || !operand(c.right, where + ".right", r, err)) return err;
    double ln = 0, rn = 0;
    const bool lnum = parseDecimalNumber(l, ln), rnum = parseDecimalNumber(r, rn);
    if (lnum != rnum)
      return where + " (" + toString(c.type) + "): cannot compare " + (lnum ? "number" : "non-number") + " \"" +
             l + "\" with " + (rnum ? "number" : "non-number") + " \"" + r + "\"";
    // -1, 0, 1
    const int cmp = lnum ? (ln < rn ? -1 : ln > rn ? 1 : 0) : (l < r ? -1 : l > r ? 1 : 0);
    switch (c.type) {
      case ConditionType::Equals: return cmp == 0;
      case ConditionType::NotEquals: return cmp != 0;
      case ConditionType::GreaterThan: return cmp > 0;
      case ConditionType::GreaterThanOrEqualTo: return cmp >= 0;
      case ConditionType::LessThan: return cmp < 0;
      case ConditionType::LessThanOrEqualTo: return cmp <= 0;
      default: return where + ": not a comparison";
    }
  }

  Result in(const Condition& c, const std::string& where) {
    std::string v, err;
    if (!operand(c.value, where + ".value", v, err)) return err;
    double vn = 0;
    const bool vnum = parseDecimalNumber(v, vn);
    bool found = false;  // every element is checked, so the outcome never depends on the order
    for (size_t i = 0; i < c.values.size(); ++i) {
      std::string e;
      if (!operand(c.values[i], where + ".values[" + std::to_string(i) + "]", e, err)) return err;
      double en = 0;
      const bool enum_ = parseDecimalNumber(e, en);
      // As for the comparisons (DESIGN.md): a number against a non-number is
      // an error with its reason, never a silent "not equal".
      if (vnum != enum_)
        return where + " (In): cannot compare " + (vnum ? "number" : "non-number") + " \"" + v + "\" with " +
               (enum_ ? "number" : "non-number") + " \"" + e + "\" (values[" + std::to_string(i) + "])";
      if (vnum ? vn == en : v == e) found = true;
    }
    return found;
  }

  Result eval(const Condition& c, const std::string& where) {
    switch (c.type) {
      case ConditionType::In: return in(c, where);
      case ConditionType::Not: {
        if (c.children.size() != 1) return where + ": Not needs exactly one condition";
        Result r = eval(c.children.front(), where + ".condition");
        if (auto* b = std::get_if<bool>(&r)) return !*b;
        return r;
      }
      case ConditionType::Or: {
        if (c.children.empty()) return where + ": Or needs at least one condition";
        // Every operand is evaluated so a type error is reported even when
        // an earlier branch is already true: the outcome must not depend on
        // the order the user listed them in.
        bool any = false;
        for (size_t i = 0; i < c.children.size(); ++i) {
          Result r = eval(c.children[i], where + ".conditions[" + std::to_string(i) + "]");
          if (auto* s = std::get_if<std::string>(&r)) return *s;
          any = any || std::get<bool>(r);
        }
        return any;
      }
      default: return compare(c, where);
    }
  }
};

}  // namespace

std::variant<bool, std::string> evaluateConditions(const std::vector<Condition>& conditions,
                                                   const RefResolver& resolve) {
  Evaluator ev{resolve};
  bool all = true;
  for (size_t i = 0; i < conditions.size(); ++i) {
    Result r = ev.eval(conditions[i], "conditions[" + std::to_string(i) + "]");
    if (auto* s = std::get_if<std::string>(&r)) return *s;
    all = all && std::get<bool>(r);
  }
  return all;
}

}  // namespace sluice::pipeline

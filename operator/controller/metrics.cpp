#include "metrics.h"

#include <cmath>
#include <cstdio>

namespace sluice::controller {
namespace {

std::string formatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string renderLabels(const Labels& labels, const std::string& extraKey = "", const std::string& extraValue = "") {
  if (labels.empty() && extraKey.empty()) return "";
  std::string s = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) s += ",";
    first = false;
    s += k + "=\"" + escapeLabelValue(v) + "\"";
  }
  if (!extraKey.empty()) {
    if (!first) s += ",";
    s += extraKey + "=\"" + escapeLabelValue(extraValue) + "\"";
  }
  return s + "}";
}

}  // namespace

std::string escapeLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::vector<double> exponentialBuckets(double start, double factor, int count) {
  std::vector<double> b;
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) b.push_back(v);
  return b;
}

void MetricFamily::header(std::string& out) const {
  out += "# HELP " + name_ + " " + help_ + "\n";
  out += "# TYPE " + name_ + " " + type_ + "\n";
}

void Counter::inc(const Labels& labels, double by) {
  std::lock_guard<std::mutex> l(mu_);
  values_[labels] += by;
}

double Counter::value(const Labels& labels) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void Counter::render(std::string& out) const {
  std::lock_guard<std::mutex> l(mu_);
  header(out);
  for (const auto& [labels, v] : values_) out += name_ + renderLabels(labels) + " " + formatValue(v) + "\n";
}

void Gauge::set(double v, const Labels& labels) {
  std::lock_guard<std::mutex> l(mu_);
  values_[labels] = v;
}

void Gauge::add(double by, const Labels& labels) {
  std::lock_guard<std::mutex> l(mu_);
  values_[labels] += by;
}

double Gauge::value(const Labels& labels) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void Gauge::replaceAll(std::map<Labels, double> values) {
  std::lock_guard<std::mutex> l(mu_);
  values_ = std::move(values);
}

void Gauge::render(std::string& out) const {
  std::lock_guard<std::mutex> l(mu_);
  header(out);
  for (const auto& [labels, v] : values_) out += name_ + renderLabels(labels) + " " + formatValue(v) + "\n";
}

Histogram::Histogram(std::string name, std::string help, std::vector<double> upperBounds)
    : MetricFamily(std::move(name), std::move(help), "histogram"), bounds_(std::move(upperBounds)) {}

void Histogram::observe(double v, const Labels& labels) {
  std::lock_guard<std::mutex> l(mu_);
  Series& s = series_[labels];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size() + 1, 0);
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  s.buckets[i]++;
  s.sum += v;
  s.count++;
}

uint64_t Histogram::count(const Labels& labels) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.count;
}

void Histogram::render(std::string& out) const {
  std::lock_guard<std::mutex> l(mu_);
  header(out);
  for (const auto& [labels, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      std::string le = i < bounds_.size() ? formatValue(bounds_[i]) : "+Inf";
      out += name_ + "_bucket" + renderLabels(labels, "le", le) + " " + std::to_string(cumulative) + "\n";
    }
    out += name_ + "_sum" + renderLabels(labels) + " " + formatValue(s.sum) + "\n";
    out += name_ + "_count" + renderLabels(labels) + " " + std::to_string(s.count) + "\n";
  }
}

Counter& Registry::counter(const std::string& name, const std::string& help) {
  std::lock_guard<std::mutex> l(mu_);
  families_.push_back(std::make_unique<Counter>(name, help));
  return static_cast<Counter&>(*families_.back());
}

Gauge& Registry::gauge(const std::string& name, const std::string& help) {
  std::lock_guard<std::mutex> l(mu_);
  families_.push_back(std::make_unique<Gauge>(name, help));
  return static_cast<Gauge&>(*families_.back());
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, std::vector<double> bounds) {
  std::lock_guard<std::mutex> l(mu_);
  families_.push_back(std::make_unique<Histogram>(name, help, std::move(bounds)));
  return static_cast<Histogram&>(*families_.back());
}

std::string Registry::render() const {
  std::lock_guard<std::mutex> l(mu_);
  std::string out;
  for (const auto& f : families_) f->render(out);
  return out;
}

}  // namespace sluice::controller

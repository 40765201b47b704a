// A small Prometheus registry: counters, gauges and histograms with labels,
// rendered in the text exposition format (version 0.0.4). Thread-safe; the
// hot path is one mutex per metric family, which is plenty for a controller
// that records a few values per reconcile.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::controller {

using Labels = std::map<std::string, std::string>;

class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::string type)
      : name_(std::move(name)), help_(std::move(help)), type_(std::move(type)) {}
  virtual ~MetricFamily() = default;
  virtual void render(std::string& out) const = 0;

 protected:
  void header(std::string& out) const;
  std::string name_, help_, type_;
  mutable std::mutex mu_;
};

class Counter : public MetricFamily {
 public:
  Counter(std::string name, std::string help) : MetricFamily(std::move(name), std::move(help), "counter") {}
  void inc(const Labels& labels = {}, double by = 1);
  double value(const Labels& labels = {}) const;
  void render(std::string& out) const override;

 private:
  std::map<Labels, double> values_;
};

class Gauge : public MetricFamily {
 public:
  Gauge(std::string name, std::string help) : MetricFamily(std::move(name), std::move(help), "gauge") {}
  void set(double v, const Labels& labels = {});
  void add(double by, const Labels& labels = {});
  double value(const Labels& labels = {}) const;
  // Replaces every series at once (e.g. executions by phase, recounted).
  void replaceAll(std::map<Labels, double> values);
  void render(std::string& out) const override;

 private:
  std::map<Labels, double> values_;
};

class Histogram : public MetricFamily {
 public:
  Histogram(std::string name, std::string help, std::vector<double> upperBounds);
  void observe(double v, const Labels& labels = {});
  uint64_t count(const Labels& labels = {}) const;
  void render(std::string& out) const override;

 private:
  struct Series {
    std::vector<uint64_t> buckets;  // non-cumulative per bound, +Inf last
    double sum = 0;
    uint64_t count = 0;
  };
  std::vector<double> bounds_;
  std::map<Labels, Series> series_;
};

// Owns the families; render() concatenates them in registration order.
class Registry {
 public:
  Counter& counter(const std::string& name, const std::string& help);
  Gauge& gauge(const std::string& name, const std::string& help);
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<double> bounds);
  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<MetricFamily>> families_;
};

// Exponential bucket bounds: start, start*factor, ... (count of them).
std::vector<double> exponentialBuckets(double start, double factor, int count);

// Escapes a label value per the exposition format (\\, \", \n).
std::string escapeLabelValue(const std::string& v);

}  // namespace sluice::controller

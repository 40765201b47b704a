#include "kube/log.h"

#include <iostream>
#include <mutex>

namespace sluice::kube {
namespace {

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
  }
  return "?";
}

LogSink& sink() {
  static LogSink s = [](LogLevel level, const std::string& message) {
    if (level == LogLevel::Debug) return;
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    std::cerr << "kube " << level_name(level) << ": " << message << '\n';
  };
  return s;
}

}  // namespace

void set_log_sink(LogSink s) { sink() = std::move(s); }

void log(LogLevel level, const std::string& message) {
  if (sink()) sink()(level, message);
}

}  // namespace sluice::kube

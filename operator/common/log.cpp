#include "log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace sluice::log {
namespace {

std::atomic<int> gLevel{static_cast<int>(Level::Info)};
std::mutex gWriteMutex;

const char* levelName(Level l) {
  switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "info";
}

std::string nowRfc3339Millis() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // generous: gcc cannot bound the int fields
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

void setLevel(Level l) { gLevel.store(static_cast<int>(l)); }
Level level() { return static_cast<Level>(gLevel.load()); }

bool parseLevel(const std::string& text, Level& out) {
  if (text == "debug") out = Level::Debug;
  else if (text == "info") out = Level::Info;
  else if (text == "warn" || text == "warning") out = Level::Warn;
  else if (text == "error") out = Level::Error;
  else return false;
  return true;
}

std::string jsonQuote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string formatLine(Level l, const std::string& ts, const std::string& msg, std::initializer_list<Field> fields) {
  std::string line = "{\"ts\":" + jsonQuote(ts) + ",\"level\":" + jsonQuote(levelName(l)) + ",\"msg\":" + jsonQuote(msg);
  for (const auto& [k, v] : fields) line += "," + jsonQuote(k) + ":" + jsonQuote(v);
  return line + "}";
}

void write(Level l, const std::string& msg, std::initializer_list<Field> fields) {
  if (static_cast<int>(l) < gLevel.load()) return;
  std::string line = formatLine(l, nowRfc3339Millis(), msg, fields) + "\n";
  std::lock_guard<std::mutex> lock(gWriteMutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace sluice::log

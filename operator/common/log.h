// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-26T22:58:01.123Z","level":"info","msg":"step started",
//    "execution":"ns/abalone-7f2kq","step":"Train"}
// Thread-safe (a line is written with one call). Never pass secrets as
// fields: values are written as given.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

namespace sluice::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

// Lines below this level are dropped. Default Info.
void setLevel(Level level);
Level level();
bool parseLevel(const std::string& text, Level& out);  // debug|info|warn|error

using Field = std::pair<std::string, std::string>;

void write(Level level, const std::string& msg, std::initializer_list<Field> fields = {});
inline void debug(const std::string& m, std::initializer_list<Field> f = {}) { write(Level::Debug, m, f); }
inline void info(const std::string& m, std::initializer_list<Field> f = {}) { write(Level::Info, m, f); }
inline void warn(const std::string& m, std::initializer_list<Field> f = {}) { write(Level::Warn, m, f); }
inline void error(const std::string& m, std::initializer_list<Field> f = {}) { write(Level::Error, m, f); }

// The JSON line write() would emit (without the newline); for tests.
std::string formatLine(Level level, const std::string& timestamp, const std::string& msg,
                       std::initializer_list<Field> fields);

// JSON string escaping (quotes included in the result).
std::string jsonQuote(const std::string& s);

}  // namespace sluice::log

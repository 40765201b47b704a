// Minimal logging hook for the kube library. The library never writes tokens,
// keys or request bodies here; the embedding program picks the sink.
#pragma once

#include <functional>
#include <string>

namespace sluice::kube {

enum class LogLevel { Debug, Info, Warning, Error };

using LogSink = std::function<void(LogLevel, const std::string&)>;

// Replaces the sink (default: Info and above to stderr). Not thread-safe with
// concurrent logging; call it once at start-up.
void set_log_sink(LogSink sink);

void log(LogLevel level, const std::string& message);

}  // namespace sluice::kube

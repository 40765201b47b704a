#include "termination_message.h"

#include <cpprest/json.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace sluice::runner {
namespace {

using web::json::value;

// Cuts text to at most maxBytes without splitting a UTF-8 sequence.
std::string truncateUtf8(const std::string& text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return text;
  std::size_t end = maxBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

bool writeAll(int fd, const std::string& content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::string encodeTerminationMessage(const TerminationMessage& m) {
  value root = value::object();
  root["exitCode"] = value::number(m.exitCode);
  if (!m.error.empty()) root["error"] = value::string(m.error);
  if (!m.outputs.empty()) {
    value outputs = value::array(m.outputs.size());
    for (std::size_t i = 0; i < m.outputs.size(); ++i) {
      const auto& o = m.outputs[i];
      value item = value::object();
      item["name"] = value::string(o.name);
      item["uri"] = value::string(o.uri);
      item["size"] = value::number(o.size);
      item["sha256"] = value::string(o.sha256);
      item["files"] = value::number(o.files);
      outputs[i] = item;
    }
    root["outputs"] = outputs;
  }
  if (!m.properties.empty()) {
    value props = value::array(m.properties.size());
    for (std::size_t i = 0; i < m.properties.size(); ++i) {
      value item = value::object();
      item["name"] = value::string(m.properties[i].name);
      item["value"] = value::string(m.properties[i].value);
      props[i] = item;
    }
    root["properties"] = props;
  }
  return root.serialize();
}

std::optional<std::string> encodeWithinLimit(const TerminationMessage& message) {
  std::string encoded = encodeTerminationMessage(message);
  if (encoded.size() > kMaxTerminationMessageBytes) return std::nullopt;
  return encoded;
}

std::string encodeFailure(int exitCode, const std::string& error) {
  TerminationMessage m;
  m.exitCode = exitCode;
  // JSON escaping can grow text up to 6x (\u00XX), so halve until it fits.
  for (std::size_t budget = 3000;; budget /= 2) {
    m.error = truncateUtf8(error.empty() ? "failed" : error, budget);
    if (auto s = encodeWithinLimit(m)) return *s;
  }
}

void writeTerminationMessage(const std::string& path, const std::string& content) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string tmp = dir + "/.sluice-termination-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd >= 0) {
    const bool ok = writeAll(fd, content) && ::fsync(fd) == 0;
    ::close(fd);
    if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) return;
    ::unlink(tmp.c_str());
  }
  // Fallback for a bind-mounted target or a read-only directory.
  const int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    throw std::runtime_error("cannot open termination message file " + path + ": " +
                             std::strerror(errno));
  }
  const bool ok = writeAll(out, content);
  const int savedErrno = errno;
  ::close(out);
  if (!ok) {
    throw std::runtime_error("cannot write termination message file " + path + ": " +
                             std::strerror(savedErrno));
  }
}

}  // namespace sluice::runner

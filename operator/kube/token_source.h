// Bearer tokens. A file-backed token is re-read periodically because bound
// service-account tokens rotate (kubelet refreshes the file about hourly).
// Tokens live only in memory and are never logged.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "kube/clock.h"
#include "kube/result.h"

namespace sluice::kube {

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // The current token. Thread-safe; may read a file (blocking, small).
  virtual Result<std::string> token() = 0;
};

class StaticTokenSource final : public TokenSource {
 public:
  explicit StaticTokenSource(std::string token) : token_(std::move(token)) {}
  Result<std::string> token() override { return token_; }

 private:
  std::string token_;
};

// Reads `path` on first use and again once `refresh` has passed. When a
// re-read fails the last good token is kept (the file is replaced atomically
// by the kubelet, a failure is transient); a first read failure is an error.
class FileTokenSource final : public TokenSource {
 public:
  FileTokenSource(std::string path, std::shared_ptr<Clock> clock,
                  Clock::Duration refresh = std::chrono::minutes(1));
  Result<std::string> token() override;

 private:
  std::string path_;
  std::shared_ptr<Clock> clock_;
  Clock::Duration refresh_;
  std::mutex mu_;
  std::string cached_;
  bool have_ = false;
  Clock::TimePoint read_at_{};
};

// Reads a whole file; errors name the file. Used for tokens and PEM files.
Result<std::string> read_file(const std::string& path);

}  // namespace sluice::kube

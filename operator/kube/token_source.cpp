#include "kube/token_source.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sluice::kube {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return config_error(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return config_error(path + ": read failed");
  return out.str();
}

FileTokenSource::FileTokenSource(std::string path, std::shared_ptr<Clock> clock,
                                 Clock::Duration refresh)
    : path_(std::move(path)), clock_(std::move(clock)), refresh_(refresh) {}

Result<std::string> FileTokenSource::token() {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = clock_->now();
  if (have_ && now - read_at_ < refresh_) return cached_;
  auto text = read_file(path_);
  if (!text.ok()) {
    if (have_) return cached_;
    return text.error();
  }
  std::string value = trim(*text);
  if (value.empty()) {
    if (have_) return cached_;
    return config_error(path_ + ": token file is empty");
  }
  cached_ = std::move(value);
  have_ = true;
  read_at_ = now;
  return cached_;
}

}  // namespace sluice::kube

#include "output_tail.h"

namespace sluice::runner {
namespace {

// The length of the valid UTF-8 sequence starting at s[i], or 0.
std::size_t utf8SequenceLength(const std::string& s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  return len;
}

std::string sanitized(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8SequenceLength(s, i);
    if (len == 0) {
      out += '?';
      ++i;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (len == 1 && (c < 0x20 || c == 0x7F) && c != '\n' && c != '\t') out += '?';
    else out.append(s, i, len);
    i += len;
  }
  return out;
}

}  // namespace

void OutputTail::append(const char* data, std::size_t n) {
  buf_.append(data, n);
  // Trim in batches (at twice the capacity) so appends stay amortised O(n).
  if (buf_.size() > 2 * capacity_) buf_.erase(0, buf_.size() - capacity_);
}

std::string OutputTail::lastLines(std::size_t maxLines, std::size_t maxBytes) const {
  std::size_t end = buf_.size();
  while (end > 0 && (buf_[end - 1] == '\n' || buf_[end - 1] == '\r' || buf_[end - 1] == ' ')) --end;
  if (end == 0 || maxLines == 0 || maxBytes == 0) return "";
  std::size_t start = end, lines = 0;
  while (start > 0) {
    if (buf_[start - 1] == '\n' && ++lines == maxLines) break;
    --start;
  }
  if (end - start > maxBytes) {
    start = end - maxBytes;
    // Not in the middle of a character: skip continuation bytes.
    while (start < end && (static_cast<unsigned char>(buf_[start]) >> 6) == 0x2) ++start;
  }
  return sanitized(buf_.substr(start, end - start));
}

}  // namespace sluice::runner

// The last bytes a step's command wrote (stdout and stderr, as they came),
// so the message of a failed step can quote them ("exit code 2; last
// output: ..."), as users of Argo and Tekton see the end of a failed step's
// log. Bounded: older bytes are dropped as new ones arrive. Not thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace sluice::runner {

class OutputTail {
 public:
  explicit OutputTail(std::size_t capacity = 8192) : capacity_(capacity) {}

  void append(const char* data, std::size_t n);

  // At most the last `maxLines` lines and `maxBytes` bytes of what was
  // appended, trailing blank lines left out; valid UTF-8 (an invalid or
  // cut sequence becomes '?') with control characters other than newline
  // and tab replaced by '?'. Empty when nothing was written.
  std::string lastLines(std::size_t maxLines, std::size_t maxBytes) const;

 private:
  std::size_t capacity_;
  std::string buf_;  // the newest bytes; trimmed back to capacity_ as it grows
};

}  // namespace sluice::runner

// libFuzzer target for the decoding of a watch response (kube/watch_event.h):
// bytes from the API server, or from anything between it and us, cut into
// chunks at arbitrary places. Checks, besides "no crash":
//  - LineSplitter gives, however the stream is chunked, exactly the lines
//    of a plain reference split (on '\n', one '\r' before it dropped, blank
//    lines dropped), unless it stopped at its limit; and it never buffers
//    more than its limit of an unfinished line (so a finished line is at
//    most the limit plus one chunk);
//  - parse_watch_event accepts only the five event types with an object,
//    with metadata.name except for ERROR and BOOKMARK; the metadata
//    accessors never throw on what it returns.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kube/watch_event.h"

using namespace sluice::kube;

namespace {

constexpr size_t kMaxLine = 4096;  // small, so the fuzzer reaches the limit

// Lines of the whole input fed in chunks of the given sizes (cycled);
// false when the splitter reported the line limit.
bool split(const std::string& input, const std::vector<size_t>& chunks, std::vector<std::string>& lines) {
  LineSplitter splitter(kMaxLine);
  size_t pos = 0;
  for (size_t i = 0; pos < input.size(); ++i) {
    const size_t n = std::min(chunks[i % chunks.size()], input.size() - pos);
    auto r = splitter.feed(input.data() + pos, n);
    if (!r.ok()) return false;
    for (auto& l : r.value()) lines.push_back(std::move(l));
    if (splitter.pending() > kMaxLine) __builtin_trap();
    pos += n;
  }
  return true;
}

// The complete lines of input, split the obvious way.
std::vector<std::string> referenceLines(const std::string& input) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < input.size(); ++i) {
    if (input[i] != '\n') continue;
    std::string line = input.substr(start, i - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(std::move(line));
    start = i + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte chooses the chunking; the rest is the stream.
  const std::vector<size_t> chunks = {size_t{1} + (data[0] & 0x0f), size_t{1}, size_t{1} + (data[0] >> 4) * 97};
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);

  const size_t largestChunk = *std::max_element(chunks.begin(), chunks.end());
  std::vector<std::string> whole, chunked;
  const bool wholeOk = split(input, {input.size() + 1}, whole);
  const bool chunkedOk = split(input, chunks, chunked);
  const std::vector<std::string> reference = referenceLines(input);
  if (wholeOk && whole != reference) __builtin_trap();
  if (chunkedOk && chunked != reference) __builtin_trap();

  for (const auto& line : chunked) {
    if (line.size() > kMaxLine + largestChunk) __builtin_trap();
    auto event = parse_watch_event(line);
    if (!event.ok()) {
      if (event.error().message.empty()) __builtin_trap();
      continue;
    }
    const WatchEvent& e = event.value();
    (void)object_namespace(e.object);
    (void)object_resource_version(e.object);
    (void)object_uid(e.object);
    (void)object_key(e.object);
    if (e.type != WatchEventType::Error && e.type != WatchEventType::Bookmark && object_name(e.object).empty())
      __builtin_trap();
  }
  return 0;
}

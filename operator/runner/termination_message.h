// The termination message sluice-runner leaves for the operator (Kubernetes
// reports the file's content in the container status). Compact JSON, keys
// sorted:
//
//   {"exitCode":0,
//    "outputs":[{"files":3,"name":"model","sha256":"<hex>","size":1234,
//                "uri":"s3://bucket/prefix/model/"}],
//    "properties":[{"name":"mse","value":"4.37"}]}
//
// plus "error":"<text>" when the step or the staging failed (then outputs
// and properties may be absent). Per output: size is the byte total; sha256
// is the file's SHA-256 for a single file, and for a directory the SHA-256
// of its manifest: for each file in byte order of its relative path, the
// line "<relpath>\0<size>\0<sha256 hex>\n". files is the file count.
//
// Kubernetes keeps at most 4096 bytes, so a longer message is refused
// rather than silently cut.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::runner {

inline constexpr std::size_t kMaxTerminationMessageBytes = 4096;

struct OutputResult {
  std::string name;
  std::string uri;
  std::uint64_t size = 0;
  std::string sha256;
  std::uint64_t files = 0;
};

struct PropertyResult {
  std::string name;
  std::string value;
};

struct TerminationMessage {
  int exitCode = 0;
  std::vector<OutputResult> outputs;
  std::vector<PropertyResult> properties;
  std::string error;  // empty on success
};

std::string encodeTerminationMessage(const TerminationMessage& message);

// The encoding when it fits in kMaxTerminationMessageBytes, else nullopt.
std::optional<std::string> encodeWithinLimit(const TerminationMessage& message);

// A failure message (exitCode + error) that always fits: the error text is
// shortened (on a UTF-8 boundary, marked with "...") when needed.
std::string encodeFailure(int exitCode, const std::string& error);

// Writes `content` so a reader sees the old file or the whole new one:
// a temporary file in the same directory renamed over `path`; when that is
// impossible (the kubelet bind-mounts /dev/termination-log, and rename onto
// a mount point fails with EBUSY) one truncating write(2) of the whole
// content, which for <= 4 KiB is a single page-sized write.
// Throws std::runtime_error with the path and errno text.
void writeTerminationMessage(const std::string& path, const std::string& content);

}  // namespace sluice::runner

// Moves step artifacts between S3 and local paths (blocking, parallel
// inside one input/output). A prefix URI (ending in '/') maps to a
// directory tree, any other URI to a single file.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "s3_client.h"
#include "staging_spec.h"
#include "termination_message.h"

namespace sluice::runner {

// A local problem with staging (bad path, unsafe key, missing output).
class StagingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TransferStats {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
};

// Where an object listed under a prefix input lands: `rel` below the input's
// directory, empty for the prefix's own marker object (nothing to do);
// `directory` for a directory marker (a key ending in '/').
struct ListedObjectPath {
  std::string rel;
  bool directory = false;
};

// Throws StagingError, naming the prefix URI, for a key that is empty, not
// below the prefix, or has a '..', '.' or empty segment below it.
ListedObjectPath listedObjectPath(const S3Uri& prefix, const std::string& key);

// Prefix: every object under it lands at path/<key minus prefix> (keys with
// '..', '.' or empty segments are refused: they would escape `path`);
// an empty prefix gives an empty directory. Single object: written to
// `path` (parent directories created). Files appear only when complete.
// Throws S3Error or StagingError.
TransferStats downloadInput(S3Client& client, const InputSpec& input, std::size_t concurrency);

// Uploads a file or a directory tree (regular files, symlinks to files
// followed) and reports size, SHA-256 and file count as documented in
// termination_message.h. A file under a prefix URI is stored as
// prefix + its file name. Throws S3Error or StagingError.
OutputResult uploadOutput(S3Client& client, const OutputSpec& output, std::size_t concurrency);

}  // namespace sluice::runner

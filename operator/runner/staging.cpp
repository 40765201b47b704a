#include "staging.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "crypto.h"
#include "parallel.h"

namespace sluice::runner {
namespace fs = std::filesystem;

namespace {

// The part of `key` below `prefix` as a relative path, refusing anything
// that could land outside the destination directory.
std::string safeRelativePath(const std::string& key, const std::string& prefix) {
  const std::string rel = key.substr(prefix.size());
  std::size_t start = 0;
  while (start <= rel.size()) {
    const std::size_t end = std::min(rel.find('/', start), rel.size());
    const std::string seg = rel.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") {
      throw StagingError("object key '" + key + "' has an unsafe path segment ('" + seg +
                         "') below the prefix '" + prefix + "'");
    }
    start = end + 1;
  }
  return rel;
}

}  // namespace

ListedObjectPath listedObjectPath(const S3Uri& prefix, const std::string& key) {
  // The listing comes from the S3 server: nothing in it is trusted.
  if (key.empty()) {
    throw StagingError("the listing of " + prefix.str() + " has an object with an empty or missing key");
  }
  if (key.compare(0, prefix.key.size(), prefix.key) != 0) {
    throw StagingError("the listing of " + prefix.str() + " has the object key '" + key +
                       "', which is not below the prefix");
  }
  if (key.size() == prefix.key.size()) return {};  // the prefix's own marker object
  const bool dirMarker = key.back() == '/';
  return {safeRelativePath(dirMarker ? key.substr(0, key.size() - 1) : key, prefix.key), dirMarker};
}

TransferStats downloadInput(S3Client& client, const InputSpec& input, std::size_t concurrency) {
  TransferStats stats;
  std::error_code ec;
  if (!input.uri.isPrefix()) {
    const fs::path dest(input.path);
    if (dest.has_parent_path()) fs::create_directories(dest.parent_path(), ec);
    if (ec) throw StagingError("cannot create " + dest.parent_path().string() + ": " + ec.message());
    stats.bytes = client.getObjectToFile(input.uri.bucket, input.uri.key, input.path);
    stats.files = 1;
    return stats;
  }
  fs::create_directories(input.path, ec);
  if (ec) throw StagingError("cannot create directory " + input.path + ": " + ec.message());

  std::vector<ObjectInfo> objects = client.listObjects(input.uri.bucket, input.uri.key);
  std::vector<std::pair<ObjectInfo, fs::path>> files;
  for (const ObjectInfo& o : objects) {
    const ListedObjectPath listed = listedObjectPath(input.uri, o.key);
    if (listed.rel.empty()) continue;  // the prefix's own marker object
    const fs::path dest = fs::path(input.path) / listed.rel;
    if (listed.directory) {
      fs::create_directories(dest, ec);
      if (ec) throw StagingError("cannot create directory " + dest.string() + ": " + ec.message());
      continue;
    }
    fs::create_directories(dest.parent_path(), ec);
    if (ec) throw StagingError("cannot create directory " + dest.parent_path().string() + ": " + ec.message());
    files.emplace_back(o, dest);
  }
  std::vector<std::uint64_t> sizes(files.size());
  forEachParallel(files.size(), concurrency, [&](std::size_t i) {
    sizes[i] = client.getObjectToFile(input.uri.bucket, files[i].first.key, files[i].second.string());
  });
  stats.files = files.size();
  for (auto s : sizes) stats.bytes += s;
  return stats;
}

OutputResult uploadOutput(S3Client& client, const OutputSpec& output, std::size_t concurrency) {
  OutputResult result;
  result.name = output.name;
  result.uri = output.uri.str();
  std::error_code ec;
  const fs::file_status st = fs::status(output.path, ec);
  if (ec || !fs::exists(st)) {
    throw StagingError("path " + output.path + " does not exist (the command did not write it)");
  }

  if (fs::is_regular_file(st)) {
    const std::string key = output.uri.isPrefix()
                                ? output.uri.key + fs::path(output.path).filename().string()
                                : output.uri.key;
    result.sha256 = sha256FileHex(output.path, &result.size);
    client.putObjectFromFile(output.uri.bucket, key, output.path);
    result.files = 1;
    return result;
  }
  if (!fs::is_directory(st)) {
    throw StagingError("path " + output.path + " is neither a regular file nor a directory");
  }
  if (!output.uri.isPrefix()) {
    throw StagingError("path " + output.path + " is a directory but " + result.uri +
                       " names a single object (a directory needs a URI ending in '/')");
  }

  std::vector<std::string> rels;
  for (auto it = fs::recursive_directory_iterator(output.path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) rels.push_back(fs::relative(it->path(), output.path).string());
  }
  if (ec) throw StagingError("cannot walk " + output.path + ": " + ec.message());
  std::sort(rels.begin(), rels.end());

  std::vector<std::string> hashes(rels.size());
  std::vector<std::uint64_t> sizes(rels.size());
  forEachParallel(rels.size(), concurrency, [&](std::size_t i) {
    const std::string local = (fs::path(output.path) / rels[i]).string();
    hashes[i] = sha256FileHex(local, &sizes[i]);
    client.putObjectFromFile(output.uri.bucket, output.uri.key + rels[i], local);
  });

  Sha256 manifest;
  for (std::size_t i = 0; i < rels.size(); ++i) {
    const std::string line = rels[i] + '\0' + std::to_string(sizes[i]) + '\0' + hashes[i] + '\n';
    manifest.update(line);
    result.size += sizes[i];
  }
  result.sha256 = manifest.finishHex();
  result.files = rels.size();
  return result;
}

}  // namespace sluice::runner

// SHA-256 and HMAC-SHA256 over OpenSSL, the only primitives SigV4 and the
// output digests need. Hex output is lower case, as SigV4 requires.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace sluice::runner {

// Incremental SHA-256 so files can be hashed while streamed, never loaded.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, std::size_t size);
  void update(const std::string& data) { update(data.data(), data.size()); }
  // Ends the hash; the object must not be updated afterwards.
  std::string finishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256Hex(const std::string& data);

// Hex SHA-256 of a file's bytes, read in chunks. Throws std::runtime_error
// (with the path and errno text) when the file cannot be read.
std::string sha256FileHex(const std::string& path, std::uint64_t* size = nullptr);

// Raw (binary) HMAC-SHA256 of data under key.
std::string hmacSha256(const std::string& key, const std::string& data);

std::string toHex(const std::string& bytes);

}  // namespace sluice::runner

// A small S3 client: SigV4 header auth over cpprestsdk, path-style or
// virtual-hosted addressing, HTTPS with certificate verification (optional
// CA bundle), streamed GET/PUT (file bodies are never loaded into memory),
// multipart upload above a threshold, retries with exponential backoff and
// jitter on network errors, 5xx and throttling.
//
// Every call blocks until done and throws S3Error on failure (its kind says
// what went wrong, its text includes S3's Code and Message). The client is
// safe to use from several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "s3_error.h"
#include "sigv4.h"

namespace web::http::client {
class http_client;
}

namespace sluice::runner {

enum class PayloadSigning {
  Auto,      // UNSIGNED-PAYLOAD over HTTPS (TLS protects it), SHA-256 over HTTP
  Always,    // always the payload SHA-256 (one extra read of each file range)
  Unsigned,  // always UNSIGNED-PAYLOAD
};

struct S3Config {
  std::string endpoint;  // "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:7070"
  std::string region = "us-east-1";
  bool forcePathStyle = false;  // path style is also used for IP/localhost endpoints
  std::string caFile;           // extra CA bundle (PEM); system CAs when empty
  SigningCredentials credentials;

  std::uint64_t multipartThreshold = 64ull << 20;  // objects >= this use multipart
  std::uint64_t partSize = 16ull << 20;            // S3 minimum is 5 MiB (except last)
  std::size_t partConcurrency = 4;

  int maxAttempts = 5;  // per request, first try included
  std::chrono::milliseconds retryBaseDelay{200};
  std::chrono::milliseconds retryMaxDelay{5000};
  std::chrono::seconds timeout{120};  // per request inactivity
  PayloadSigning payloadSigning = PayloadSigning::Auto;

  // Injected for tests; defaults: system clock, real sleep.
  std::function<std::chrono::system_clock::time_point()> clock;
  std::function<void(std::chrono::milliseconds)> sleep;
};

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::string nextContinuationToken;  // empty when this is the last page
};

class S3Client {
 public:
  // Throws std::invalid_argument when the endpoint is not http(s)://HOST[:PORT].
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Config& config() const { return config_; }

  ObjectInfo headObject(const std::string& bucket, const std::string& key);

  // Streams the object into `path` through a temporary file next to it that
  // is renamed into place only when the whole body arrived. Returns the size.
  std::uint64_t getObjectToFile(const std::string& bucket, const std::string& key,
                                const std::string& path);

  // Streams `path` up; multipart (parallel parts) when its size reaches the
  // threshold, aborting the upload on failure.
  void putObjectFromFile(const std::string& bucket, const std::string& key,
                         const std::string& path);

  void putObjectFromString(const std::string& bucket, const std::string& key,
                           const std::string& body);

  ListPage listObjectsPage(const std::string& bucket, const std::string& prefix,
                           const std::string& continuationToken, int maxKeys = 1000);
  // Every object under prefix, following continuation tokens.
  std::vector<ObjectInfo> listObjects(const std::string& bucket, const std::string& prefix);

  // Succeeds when the bucket already exists and is ours.
  void createBucket(const std::string& bucket);
  void deleteObject(const std::string& bucket, const std::string& key);

 private:
  struct Request;
  struct Response;
  Response send(const Request& request);
  Response sendOnce(const Request& request);
  web::http::client::http_client& clientFor(const std::string& baseUri);
  std::string payloadHashFor(const Request& request) const;
  void multipartUpload(const std::string& bucket, const std::string& key,
                       const std::string& path, std::uint64_t size);

  S3Config config_;
  std::string scheme_;
  std::string hostPort_;  // authority of the endpoint, as in the Host header
  std::mutex clientsMu_;
  std::map<std::string, std::unique_ptr<web::http::client::http_client>> clients_;
};

}  // namespace sluice::runner

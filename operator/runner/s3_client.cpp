#include "s3_client.h"

#include <cpprest/filestream.h>
#include <cpprest/http_client.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "crypto.h"
#include "parallel.h"
#include "s3_addressing.h"
#include "xml_extract.h"

namespace sluice::runner {

namespace http = web::http;

struct S3Client::Request {
  std::string method;
  std::string bucket;
  std::string key;
  QueryList query;
  HeaderList headers;
  bool hasStringBody = false;
  std::string stringBody;
  bool hasFileBody = false;
  std::string filePath;
  std::uint64_t fileOffset = 0;
  std::uint64_t fileLength = 0;
  std::string responseFile;  // when set, the body of a 2xx answer goes here
};

struct S3Client::Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // empty when streamed to a file
  std::uint64_t contentLength = 0;
};

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string hashFileRange(const std::string& path, std::uint64_t offset, std::uint64_t length) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw S3Error(S3ErrorKind::LocalIo, 0, "", std::strerror(errno), path);
  in.seekg(static_cast<std::streamoff>(offset));
  Sha256 h;
  thread_local std::vector<char> buf(1 << 20);  // reused: see sha256FileHex
  std::uint64_t left = length;
  while (left > 0) {
    const auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(left, buf.size()));
    in.read(buf.data(), want);
    if (in.gcount() != want) {
      throw S3Error(S3ErrorKind::LocalIo, 0, "", "short read (file changed while uploading?)",
                    path);
    }
    h.update(buf.data(), static_cast<std::size_t>(want));
    left -= static_cast<std::uint64_t>(want);
  }
  return h.finishHex();
}

std::string readSmallFile(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return out;
}

std::uint64_t fileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw S3Error(S3ErrorKind::LocalIo, 0, "", std::strerror(errno), path);
  }
  if (!S_ISREG(st.st_mode)) {
    throw S3Error(S3ErrorKind::LocalIo, 0, "", "not a regular file", path);
  }
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace

S3Client::S3Client(S3Config config) : config_(std::move(config)) {
  const std::string& ep = config_.endpoint;
  const std::size_t sep = ep.find("://");
  if (sep == std::string::npos) throw std::invalid_argument("S3 endpoint has no scheme: " + ep);
  scheme_ = lower(ep.substr(0, sep));
  if (scheme_ != "http" && scheme_ != "https") {
    throw std::invalid_argument("S3 endpoint must be http:// or https://: " + ep);
  }
  hostPort_ = ep.substr(sep + 3);
  // Lower case, as web::uri normalises the host it puts in the Host header.
  hostPort_ = lower(hostPort_.substr(0, hostPort_.find('/')));
  if (hostPort_.empty()) throw std::invalid_argument("S3 endpoint has no host: " + ep);
  if (config_.region.empty()) config_.region = "us-east-1";
  if (config_.partSize < (5ull << 20)) config_.partSize = 5ull << 20;  // S3's minimum
  if (config_.maxAttempts < 1) config_.maxAttempts = 1;
  if (!config_.clock) config_.clock = [] { return std::chrono::system_clock::now(); };
  if (!config_.sleep) config_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

S3Client::~S3Client() = default;

http::client::http_client& S3Client::clientFor(const std::string& baseUri) {
  std::lock_guard<std::mutex> lock(clientsMu_);
  auto& slot = clients_[baseUri];
  if (!slot) {
    http::client::http_client_config cfg;
    cfg.set_timeout(config_.timeout);
    cfg.set_validate_certificates(true);  // never off
    cfg.set_chunksize(256 * 1024);
    if (!config_.caFile.empty()) {
      const std::string ca = config_.caFile;
      cfg.set_ssl_context_callback(
          [ca](boost::asio::ssl::context& ctx) { ctx.load_verify_file(ca); });
    }
    slot = std::make_unique<http::client::http_client>(baseUri, cfg);
  }
  return *slot;
}

std::string S3Client::payloadHashFor(const Request& r) const {
  if (r.hasStringBody) return sha256Hex(r.stringBody);
  if (!r.hasFileBody) return kEmptyPayloadSha256;
  const bool sign = config_.payloadSigning == PayloadSigning::Always ||
                    (config_.payloadSigning == PayloadSigning::Auto && scheme_ == "http");
  return sign ? hashFileRange(r.filePath, r.fileOffset, r.fileLength) : kUnsignedPayload;
}

S3Client::Response S3Client::sendOnce(const Request& r) {
  const RequestTarget target = addressFor(hostPort_, config_.forcePathStyle, r.bucket, r.key);
  const std::string& host = target.host;
  const std::string& path = target.path;

  const std::string amzDate = formatAmzDate(config_.clock());
  const std::string payloadHash = payloadHashFor(r);
  HeaderList headers = r.headers;
  headers.emplace_back("Host", host);
  headers.emplace_back("x-amz-date", amzDate);
  headers.emplace_back("x-amz-content-sha256", payloadHash);
  if (!config_.credentials.sessionToken.empty()) {
    headers.emplace_back("x-amz-security-token", config_.credentials.sessionToken);
  }
  SigningRequest signing{r.method, path, r.query, headers, payloadHash};
  const SigV4Result sig = signV4(signing, config_.credentials, config_.region, "s3", amzDate);

  http::http_request req(r.method);
  const std::string query = canonicalQueryString(r.query);
  req.set_request_uri(web::uri(query.empty() ? path : path + "?" + query));
  // cpprestsdk writes Host itself as host[:port] from the base URI (the
  // same text signed above); setting it here would also make cpprestsdk
  // verify the certificate against "host:port" and fail every TLS handshake.
  for (const auto& [name, value] : headers) {
    if (name != "Host") req.headers().add(name, value);
  }
  req.headers().add("Authorization", sig.authorization);

  if (r.hasStringBody) {
    req.set_body(r.stringBody, "application/xml");
  } else if (r.hasFileBody) {
    auto in = concurrency::streams::file_stream<uint8_t>::open_istream(r.filePath).get();
    in.seek(static_cast<concurrency::streams::istream::pos_type>(r.fileOffset));
    // The client sends exactly content_length bytes from the stream, which
    // is how one open file serves any part without copying it.
    req.set_body(in, r.fileLength, "application/octet-stream");
  }

  concurrency::streams::ostream out;
  if (!r.responseFile.empty()) {
    out = concurrency::streams::file_stream<uint8_t>::open_ostream(
              r.responseFile, std::ios::out | std::ios::trunc)
              .get();
    req.set_response_stream(out);
  }

  const std::string base = scheme_ + "://" + host;
  http::http_response resp = clientFor(base).request(req).get();
  Response result;
  result.status = resp.status_code();
  for (const auto& [name, value] : resp.headers()) result.headers[lower(name)] = value;
  if (auto it = result.headers.find("content-length"); it != result.headers.end()) {
    result.contentLength = std::strtoull(it->second.c_str(), nullptr, 10);
  }
  if (!r.responseFile.empty()) {
    resp.content_ready().get();
    out.flush().get();
    out.close().get();
    if (result.status / 100 != 2) result.body = readSmallFile(r.responseFile, 64 * 1024);
  } else if (r.method != "HEAD") {
    result.body = resp.extract_utf8string(true).get();
  } else {
    resp.content_ready().get();
  }
  return result;
}

S3Client::Response S3Client::send(const Request& r) {
  const std::string resource = "s3://" + r.bucket + "/" + r.key;
  static thread_local std::mt19937 rng{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    auto backoff = [&] {
      const auto cap = std::min<std::int64_t>(config_.retryMaxDelay.count(),
                                              config_.retryBaseDelay.count() << (attempt - 1));
      std::uniform_int_distribution<std::int64_t> jitter(cap / 2, std::max<std::int64_t>(cap / 2, cap));
      config_.sleep(std::chrono::milliseconds(jitter(rng)));
    };
    Response resp;
    try {
      resp = sendOnce(r);
    } catch (const S3Error&) {
      throw;
    } catch (const std::exception& e) {
      // cpprestsdk reports refused connections, TLS failures, timeouts and
      // unreadable files the same way; files are checked before sending, so
      // what is left here is the network.
      if (attempt < config_.maxAttempts) {
        backoff();
        continue;
      }
      throw S3Error(S3ErrorKind::Unavailable, 0, "",
                    "cannot reach " + config_.endpoint + " after " + std::to_string(attempt) +
                        " attempts: " + e.what(),
                    resource);
    }
    if (resp.status / 100 == 2) return resp;
    std::string code = xmlFirstText(resp.body, "Code").value_or("");
    std::string message = xmlFirstText(resp.body, "Message").value_or("");
    if (code.empty() && resp.status == 404) code = "NotFound";
    if (code.empty() && resp.status == 403) code = "Forbidden";
    const S3ErrorKind kind = classifyS3Error(resp.status, code);
    const bool retryable = kind == S3ErrorKind::Throttled || kind == S3ErrorKind::Unavailable;
    if (retryable && attempt < config_.maxAttempts) {
      backoff();
      continue;
    }
    throw S3Error(kind, resp.status, code, message, resource);
  }
}

ObjectInfo S3Client::headObject(const std::string& bucket, const std::string& key) {
  Request r;
  r.method = "HEAD";
  r.bucket = bucket;
  r.key = key;
  const Response resp = send(r);
  ObjectInfo info;
  info.key = key;
  info.size = resp.contentLength;
  if (auto it = resp.headers.find("etag"); it != resp.headers.end()) info.etag = it->second;
  return info;
}

std::uint64_t S3Client::getObjectToFile(const std::string& bucket, const std::string& key,
                                        const std::string& path) {
  const std::string partial = path + ".sluice-partial";
  // A local write problem must not look like a network failure (and be retried).
  const int probe = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (probe < 0) throw S3Error(S3ErrorKind::LocalIo, 0, "", std::strerror(errno), partial);
  ::close(probe);
  Request r;
  r.method = "GET";
  r.bucket = bucket;
  r.key = key;
  r.responseFile = partial;
  Response resp;
  try {
    resp = send(r);
  } catch (...) {
    std::remove(partial.c_str());
    throw;
  }
  const std::uint64_t got = fileSize(partial);
  if (resp.headers.count("content-length") != 0 && got != resp.contentLength) {
    std::remove(partial.c_str());
    throw S3Error(S3ErrorKind::Unavailable, resp.status, "IncompleteBody",
                  "received " + std::to_string(got) + " of " +
                      std::to_string(resp.contentLength) + " bytes",
                  "s3://" + bucket + "/" + key);
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    std::remove(partial.c_str());
    throw S3Error(S3ErrorKind::LocalIo, 0, "", "rename into place: " + err, path);
  }
  return got;
}

void S3Client::putObjectFromFile(const std::string& bucket, const std::string& key,
                                 const std::string& path) {
  const std::uint64_t size = fileSize(path);
  if (size >= config_.multipartThreshold && size > 0) {
    multipartUpload(bucket, key, path, size);
    return;
  }
  Request r;
  r.method = "PUT";
  r.bucket = bucket;
  r.key = key;
  r.hasFileBody = true;
  r.filePath = path;
  r.fileLength = size;
  send(r);
}

void S3Client::putObjectFromString(const std::string& bucket, const std::string& key,
                                   const std::string& body) {
  Request r;
  r.method = "PUT";
  r.bucket = bucket;
  r.key = key;
  r.hasStringBody = true;
  r.stringBody = body;
  send(r);
}

void S3Client::multipartUpload(const std::string& bucket, const std::string& key,
                               const std::string& path, std::uint64_t size) {
  const std::string resource = "s3://" + bucket + "/" + key;
  // S3 allows at most 10,000 parts: grow the part size for huge files.
  std::uint64_t partSize = config_.partSize;
  if ((size + partSize - 1) / partSize > 10000) {
    partSize = ((size / 10000) / (1 << 20) + 1) << 20;
  }
  const std::size_t parts = static_cast<std::size_t>((size + partSize - 1) / partSize);

  Request init;
  init.method = "POST";
  init.bucket = bucket;
  init.key = key;
  init.query = {{"uploads", ""}};
  const std::string uploadId = xmlFirstText(send(init).body, "UploadId").value_or("");
  if (uploadId.empty()) {
    throw S3Error(S3ErrorKind::InvalidRequest, 200, "NoUploadId",
                  "CreateMultipartUpload answered without an UploadId", resource);
  }

  try {
    std::vector<std::string> etags(parts);
    forEachParallel(parts, config_.partConcurrency, [&](std::size_t i) {
      Request part;
      part.method = "PUT";
      part.bucket = bucket;
      part.key = key;
      part.query = {{"partNumber", std::to_string(i + 1)}, {"uploadId", uploadId}};
      part.hasFileBody = true;
      part.filePath = path;
      part.fileOffset = i * partSize;
      part.fileLength = std::min<std::uint64_t>(partSize, size - part.fileOffset);
      const Response resp = send(part);
      auto it = resp.headers.find("etag");
      if (it == resp.headers.end()) {
        throw S3Error(S3ErrorKind::InvalidRequest, resp.status, "NoETag",
                      "UploadPart " + std::to_string(i + 1) + " answered without an ETag",
                      resource);
      }
      etags[i] = it->second;
    });

    Request complete;
    complete.method = "POST";
    complete.bucket = bucket;
    complete.key = key;
    complete.query = {{"uploadId", uploadId}};
    complete.hasStringBody = true;
    complete.stringBody = "<CompleteMultipartUpload>";
    for (std::size_t i = 0; i < parts; ++i) {
      complete.stringBody += "<Part><PartNumber>" + std::to_string(i + 1) +
                             "</PartNumber><ETag>" + xmlEscape(etags[i]) + "</ETag></Part>";
    }
    complete.stringBody += "</CompleteMultipartUpload>";
    const Response resp = send(complete);
    // S3 may answer 200 and still fail the completion in the body.
    if (resp.body.find("<Error>") != std::string::npos) {
      const std::string code = xmlFirstText(resp.body, "Code").value_or("");
      throw S3Error(classifyS3Error(resp.status, code), resp.status, code,
                    xmlFirstText(resp.body, "Message").value_or(""), resource);
    }
  } catch (...) {
    // Best effort: an abandoned upload only costs storage until lifecycle
    // rules clean it, so a failed abort must not hide the real error.
    try {
      Request abort;
      abort.method = "DELETE";
      abort.bucket = bucket;
      abort.key = key;
      abort.query = {{"uploadId", uploadId}};
      send(abort);
    } catch (...) {
    }
    throw;
  }
}

ListPage S3Client::listObjectsPage(const std::string& bucket, const std::string& prefix,
                                   const std::string& continuationToken, int maxKeys) {
  Request r;
  r.method = "GET";
  r.bucket = bucket;
  r.query = {{"list-type", "2"}, {"max-keys", std::to_string(maxKeys)}};
  if (!prefix.empty()) r.query.emplace_back("prefix", prefix);
  if (!continuationToken.empty()) r.query.emplace_back("continuation-token", continuationToken);
  const Response resp = send(r);
  ListPage page;
  for (const std::string& item : xmlAllElements(resp.body, "Contents")) {
    ObjectInfo info;
    info.key = xmlFirstText(item, "Key").value_or("");
    info.size = std::strtoull(xmlFirstText(item, "Size").value_or("0").c_str(), nullptr, 10);
    info.etag = xmlFirstText(item, "ETag").value_or("");
    page.objects.push_back(std::move(info));
  }
  if (xmlFirstText(resp.body, "IsTruncated").value_or("false") == "true") {
    page.nextContinuationToken = xmlFirstText(resp.body, "NextContinuationToken").value_or("");
    if (page.nextContinuationToken.empty()) {
      throw S3Error(S3ErrorKind::InvalidRequest, resp.status, "NoContinuationToken",
                    "truncated listing without NextContinuationToken", "s3://" + bucket + "/" + prefix);
    }
  }
  return page;
}

std::vector<ObjectInfo> S3Client::listObjects(const std::string& bucket, const std::string& prefix) {
  std::vector<ObjectInfo> all;
  std::string token;
  do {
    ListPage page = listObjectsPage(bucket, prefix, token);
    for (auto& o : page.objects) all.push_back(std::move(o));
    token = page.nextContinuationToken;
  } while (!token.empty());
  return all;
}

void S3Client::createBucket(const std::string& bucket) {
  Request r;
  r.method = "PUT";
  r.bucket = bucket;
  if (config_.region != "us-east-1") {
    r.hasStringBody = true;
    r.stringBody =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" + xmlEscape(config_.region) +
        "</LocationConstraint></CreateBucketConfiguration>";
  }
  try {
    send(r);
  } catch (const S3Error& e) {
    if (e.code() != "BucketAlreadyOwnedByYou") throw;
  }
}

void S3Client::deleteObject(const std::string& bucket, const std::string& key) {
  Request r;
  r.method = "DELETE";
  r.bucket = bucket;
  r.key = key;
  send(r);
}

}  // namespace sluice::runner

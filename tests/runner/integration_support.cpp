#include "integration_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

namespace sluice::runner::testing {
namespace fs = std::filesystem;

::testing::AssertionResult loadS3Env(S3TestEnv& env) {
  struct Var {
    const char* name;
    std::string* slot;
  };
  const Var vars[] = {{"SLUICE_TEST_S3_ENDPOINT", &env.endpoint},
                      {"SLUICE_TEST_S3_ACCESS_KEY", &env.accessKey},
                      {"SLUICE_TEST_S3_SECRET_KEY", &env.secretKey},
                      {"SLUICE_TEST_S3_REGION", &env.region}};
  for (const auto& v : vars) {
    const char* value = std::getenv(v.name);
    if (value == nullptr || *value == '\0') {
      return ::testing::AssertionFailure()
             << v.name << " is not set: start the S3 server with "
             << "'SLUICE_TESTENV_RUN=/tmp/sluice-$USER bash tests/cluster/up.sh --s3' and "
             << "'source /tmp/sluice-$USER/env' before running the integration tests";
    }
    *v.slot = value;
  }
  return ::testing::AssertionSuccess();
}

S3Config clientConfig(const S3TestEnv& env) {
  S3Config cfg;
  cfg.endpoint = env.endpoint;
  cfg.region = env.region;
  cfg.forcePathStyle = true;
  cfg.credentials.accessKeyId = env.accessKey;
  cfg.credentials.secretAccessKey = env.secretKey;
  return cfg;
}

std::string uniqueBucketName() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return "sluice-it-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(rd() % 100000);
}

ScratchDir::ScratchDir() {
  std::string tmpl = "/tmp/sluice-runner-it-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void writeRandomFile(const std::string& path, std::uint64_t size, std::uint64_t seed) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> buf(std::min<std::uint64_t>(1 << 16, size / 8 + 1));
  std::uint64_t left = size;
  while (left > 0) {
    for (auto& w : buf) w = rng();  // only as many words as the file needs
    const std::uint64_t n = std::min<std::uint64_t>(left, buf.size() * sizeof(std::uint64_t));
    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n));
    left -= n;
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

void writeTextFile(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string readTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

::testing::AssertionResult sameBytes(const std::string& a, const std::string& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  if (!fa) return ::testing::AssertionFailure() << "cannot open " << a;
  if (!fb) return ::testing::AssertionFailure() << "cannot open " << b;
  std::vector<char> ba(1 << 20), bb(1 << 20);
  std::uint64_t offset = 0;
  for (;;) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    const auto na = fa.gcount(), nb = fb.gcount();
    for (std::streamsize i = 0; i < std::min(na, nb); ++i) {
      if (ba[static_cast<std::size_t>(i)] != bb[static_cast<std::size_t>(i)]) {
        return ::testing::AssertionFailure()
               << a << " and " << b << " differ at byte " << offset + static_cast<std::uint64_t>(i);
      }
    }
    if (na != nb) {
      return ::testing::AssertionFailure() << a << " and " << b << " differ in length";
    }
    if (na == 0) return ::testing::AssertionSuccess();
    offset += static_cast<std::uint64_t>(na);
  }
}

int closedLocalPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace sluice::runner::testing

// bench_s3: upload and download throughput of the runner's S3 path against
// a real S3 server, next to a plain local copy of the same data in the same
// run. Prints figures; asserts nothing (speed is measured, never tested).
//
//   bench_s3 [--size BYTES|NMiB|NGiB] [--files N] [--file-size BYTES] [--repeat N]
//            [--payload auto|signed|unsigned]
//
// Defaults: one 256 MiB file (the figure is --size 1GiB), 1,000
// files of 16 KiB, 3 repetitions. Server from SLUICE_TEST_S3_ENDPOINT,
// _ACCESS_KEY, _SECRET_KEY, _REGION (tests/cluster/up.sh --s3).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "integration_support.h"
#include "s3_client.h"
#include "staging.h"

namespace {

using namespace sluice::runner;
using namespace sluice::runner::testing;
namespace fs = std::filesystem;

std::uint64_t parseSize(const std::string& text) {
  char* end = nullptr;
  const double n = std::strtod(text.c_str(), &end);
  const std::string unit = end;
  std::uint64_t mult = 1;
  if (unit == "KiB" || unit == "K") mult = 1ull << 10;
  else if (unit == "MiB" || unit == "M") mult = 1ull << 20;
  else if (unit == "GiB" || unit == "G") mult = 1ull << 30;
  else if (!unit.empty()) throw std::invalid_argument("bad size: " + text);
  return static_cast<std::uint64_t>(n * static_cast<double>(mult));
}

double timeIt(const std::function<void()>& fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void report(const std::string& what, std::uint64_t bytes, std::vector<double> seconds) {
  std::vector<double> mbps;
  for (double s : seconds) mbps.push_back(static_cast<double>(bytes) / 1e6 / s);
  std::sort(mbps.begin(), mbps.end());
  const double median = mbps[mbps.size() / 2];
  std::printf("  %-28s median %9.1f MB/s   min %9.1f   max %9.1f   (n=%zu)\n", what.c_str(), median,
              mbps.front(), mbps.back(), mbps.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t size = 256ull << 20;
  std::uint64_t files = 1000;
  std::uint64_t fileSize = 16ull << 10;
  int repeat = 3;
  PayloadSigning signing = PayloadSigning::Auto;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const std::string v = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--size") size = parseSize(v), ++i;
    else if (a == "--files") files = std::stoull(v), ++i;
    else if (a == "--file-size") fileSize = parseSize(v), ++i;
    else if (a == "--repeat") repeat = std::max(1, std::stoi(v)), ++i;
    else if (a == "--payload" && (v == "auto" || v == "signed" || v == "unsigned")) {
      signing = v == "auto" ? PayloadSigning::Auto
                : v == "signed" ? PayloadSigning::Always : PayloadSigning::Unsigned;
      ++i;
    }
    else {
      std::cerr << "usage: bench_s3 [--size N[MiB|GiB]] [--files N] [--file-size N] [--repeat N]"
                   " [--payload auto|signed|unsigned]\n";
      return 2;
    }
  }
  S3TestEnv env;
  if (auto ok = loadS3Env(env); !ok) {
    std::cerr << ok.message() << "\n";
    return 2;
  }
  S3Config cfg = clientConfig(env);
  cfg.payloadSigning = signing;
  S3Client client(cfg);
  const std::string bucket = uniqueBucketName();
  client.createBucket(bucket);
  ScratchDir dir;

  std::printf("bench_s3: endpoint %s, payload %s, multipart threshold %llu MiB, part %llu MiB, %zu parallel parts\n",
              env.endpoint.c_str(),
              signing == PayloadSigning::Auto ? "auto" : signing == PayloadSigning::Always ? "signed" : "unsigned",
              static_cast<unsigned long long>(client.config().multipartThreshold >> 20),
              static_cast<unsigned long long>(client.config().partSize >> 20),
              client.config().partConcurrency);

  // One large file.
  const std::string big = dir / "big.bin";
  writeRandomFile(big, size, 1);
  std::vector<double> up, down, local;
  for (int r = 0; r < repeat; ++r) {
    up.push_back(timeIt([&] { client.putObjectFromFile(bucket, "big.bin", big); }));
    down.push_back(timeIt([&] { client.getObjectToFile(bucket, "big.bin", dir / "big.back"); }));
    local.push_back(timeIt([&] {
      fs::copy_file(big, dir / "big.copy", fs::copy_options::overwrite_existing);
    }));
    if (!sameBytes(big, dir / "big.back")) {
      std::cerr << "download differs from the upload\n";
      return 1;
    }
  }
  std::printf("one file of %.1f MiB:\n", static_cast<double>(size) / (1 << 20));
  report("upload (S3 PUT/multipart)", size, up);
  report("download (S3 GET)", size, down);
  report("local copy", size, local);
  fs::remove(dir / "big.back");
  fs::remove(dir / "big.copy");

  // Many small files, through the runner's own staging code.
  const std::string tree = dir / "tree";
  for (std::uint64_t i = 0; i < files; ++i) {
    writeRandomFile(tree + "/d" + std::to_string(i % 20) + "/f" + std::to_string(i), fileSize, i);
  }
  const std::uint64_t total = files * fileSize;
  up.clear(), down.clear(), local.clear();
  for (int r = 0; r < repeat; ++r) {
    const std::string prefix = "tree" + std::to_string(r) + "/";
    up.push_back(timeIt([&] { uploadOutput(client, OutputSpec{"t", tree, S3Uri{bucket, prefix}}, 8); }));
    const std::string back = dir / ("back" + std::to_string(r));
    down.push_back(timeIt([&] { downloadInput(client, InputSpec{"t", S3Uri{bucket, prefix}, back}, 8); }));
    const std::string copy = dir / ("copy" + std::to_string(r));
    local.push_back(timeIt([&] { fs::copy(tree, copy, fs::copy_options::recursive); }));
    fs::remove_all(back);
    fs::remove_all(copy);
  }
  std::printf("%llu files of %.1f KiB (%.1f MiB), 8 in flight:\n", static_cast<unsigned long long>(files),
              static_cast<double>(fileSize) / 1024, static_cast<double>(total) / (1 << 20));
  report("upload (hash + PUT)", total, up);
  report("download (list + GET)", total, down);
  report("local copy", total, local);
  std::vector<double> filesPerSec;
  for (double s : up) filesPerSec.push_back(static_cast<double>(files) / s);
  std::sort(filesPerSec.begin(), filesPerSec.end());
  std::printf("  upload median %.0f files/s\n", filesPerSec[filesPerSec.size() / 2]);
  return 0;
}

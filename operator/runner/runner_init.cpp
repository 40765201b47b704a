#include "runner_init.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "runner_app.h"

namespace sluice::runner {
namespace {

namespace fs = std::filesystem;

// Copies src to dest through dest's directory-local temporary name.
void copyAtomically(const std::string& src, const std::string& dest, mode_t mode) {
  const std::string tmp = dest + ".sluice-tmp";
  const int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) throw std::runtime_error("cannot open " + src + ": " + std::strerror(errno));
  const int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (out < 0) {
    const int err = errno;
    ::close(in);
    throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(err));
  }
  char buf[1 << 16];
  int err = 0;
  for (;;) {
    const ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno;
    if (n <= 0) break;
    for (ssize_t done = 0; done < n && err == 0;) {
      const ssize_t w = ::write(out, buf + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) err = w < 0 ? errno : EIO;
      else done += w;
    }
    if (err != 0) break;
  }
  ::close(in);
  if (err == 0 && (::fchmod(out, mode) != 0 || ::fsync(out) != 0)) err = errno;
  if (::close(out) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(tmp.c_str(), dest.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + dest + ": " + std::strerror(err));
  }
}

// The dynamic loader among lib/'s files: glibc names it ld-linux-*.so.N
// (ld-linux-x86-64.so.2, ld-linux-aarch64.so.1) or ld64.so.N.
bool isDynamicLoader(const std::string& name) {
  return (name.rfind("ld-linux", 0) == 0 || name.rfind("ld64.so.", 0) == 0) &&
         name.find(".so.") != std::string::npos;
}

}  // namespace

int installRunner(const std::string& destDir) {
  try {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("cannot resolve /proc/self/exe: " + ec.message());
    const fs::path libs = self.parent_path() / "lib";
    if (!fs::is_directory(libs, ec))
      throw std::runtime_error("no lib/ beside " + self.string() +
                               ": the runner image ships the runner with every library it loads and "
                               "its dynamic loader there (images/runner/assemble-rootfs.sh)");
    const fs::path destLibs = fs::path(destDir) / "lib";
    fs::create_directories(destLibs, ec);
    if (ec) throw std::runtime_error("cannot create " + destLibs.string() + ": " + ec.message());
    std::string loader;
    for (const auto& entry : fs::directory_iterator(libs)) {
      if (!entry.is_regular_file()) continue;  // follows symlinks: copies the target
      const std::string name = entry.path().filename().string();
      copyAtomically(entry.path().string(), (destLibs / name).string(), 0755);
      if (isDynamicLoader(name)) loader = entry.path().string();
    }
    if (loader.empty())
      throw std::runtime_error(libs.string() + " has no dynamic loader (ld-linux*.so.*)");
    // A fixed name for the Job's command, whatever the architecture calls it.
    copyAtomically(loader, destDir + "/" + kLoaderName, 0755);
    // Last: the main container starts only after init exits 0, and a
    // runner binary present means everything it needs is there too.
    // Read through /proc/self/exe: it stays valid even if the file moved.
    copyAtomically("/proc/self/exe", destDir + "/sluice-runner", 0755);
  } catch (const std::exception& e) {
    std::cerr << "sluice-runner: error: " << e.what() << std::endl;
    return kExitRunnerError;
  }
  std::cerr << "sluice-runner: installed " << destDir << "/sluice-runner" << std::endl;
  return 0;
}

}  // namespace sluice::runner

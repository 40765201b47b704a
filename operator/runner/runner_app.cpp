#include "runner_app.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "child_process.h"
#include "json_path.h"
#include "runner_init.h"
#include "s3_client.h"
#include "staging.h"
#include "staging_spec.h"
#include "termination_message.h"

namespace sluice::runner {
namespace {

constexpr std::size_t kTransferConcurrency = 8;
// How much of a failed command's output its step's message quotes: the
// operator keeps 1 KiB of a step's message, so about that much.
constexpr std::size_t kFailureOutputLines = 10;
constexpr std::size_t kFailureOutputBytes = 800;

std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : fallback;
}

// An S3 error names the object it was about in full; below a message that
// already names the input's or output's URI, only the part after it is
// repeated ("f.txt: unavailable: ..."), so the store's own words survive the
// operator's cap on a step's message.
std::string belowUri(const std::string& error, const std::string& uri) {
  if (uri.empty() || error.rfind(uri, 0) != 0) return error;
  std::string rest = error.substr(uri.size());
  if (rest.rfind(": ", 0) == 0) rest.erase(0, 2);
  return rest;
}

void logLine(const std::string& text) { std::cerr << "sluice-runner: " << text << std::endl; }

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string shortSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

int usage() {
  std::cerr << "usage: sluice-runner init DEST\n"
               "       sluice-runner exec -- COMMAND [ARGS...]\n";
  return kExitRunnerError;
}

// sluice-runner is PID 1 of the step container, and the kernel drops
// signals PID 1 has no handler for: without this, SIGTERM during staging
// would be ignored until the kubelet's SIGKILL. While the command runs,
// runCommand forwards signals to it instead.
extern "C" void exitOnSignal(int sig) { ::_exit(128 + sig); }

void exitOnTermination() {
  struct sigaction act {};
  act.sa_handler = exitOnSignal;
  sigemptyset(&act.sa_mask);
  ::sigaction(SIGTERM, &act, nullptr);
  ::sigaction(SIGINT, &act, nullptr);
}

class ExecRun {
 public:
  explicit ExecRun(std::vector<std::string> command)
      : command_(std::move(command)),
        messagePath_(envOr("SLUICE_TERMINATION_MESSAGE_PATH", "/dev/termination-log")) {}

  int run() {
    StagingSpec spec;
    try {
      const char* raw = std::getenv("SLUICE_STAGING");
      if (raw == nullptr) throw StagingSpecError("SLUICE_STAGING is not set");
      spec = parseStagingSpec(raw);
    } catch (const StagingSpecError& e) {
      return fail(kExitBadSpec, std::string("bad staging spec: ") + e.what());
    }

    std::unique_ptr<S3Client>& client = client_;
    if (!spec.inputs.empty() || !spec.outputs.empty()) {
      S3Config cfg;
      cfg.endpoint = spec.store.endpoint;
      cfg.region = spec.store.region;
      cfg.forcePathStyle = spec.store.forcePathStyle;
      cfg.caFile = spec.store.caFile;
      if (!cfg.caFile.empty() && ::access(cfg.caFile.c_str(), R_OK) != 0) {
        return fail(kExitBadSpec, "bad staging spec: store.caFile: cannot read " + cfg.caFile + ": " +
                                      std::strerror(errno));
      }
      if (spec.store.multipartThresholdBytes) cfg.multipartThreshold = *spec.store.multipartThresholdBytes;
      if (spec.store.partSizeBytes) cfg.partSize = *spec.store.partSizeBytes;
      cfg.credentials.accessKeyId = envOr("AWS_ACCESS_KEY_ID", "");
      cfg.credentials.secretAccessKey = envOr("AWS_SECRET_ACCESS_KEY", "");
      cfg.credentials.sessionToken = envOr("AWS_SESSION_TOKEN", "");
      if (cfg.credentials.accessKeyId.empty() || cfg.credentials.secretAccessKey.empty()) {
        return fail(kExitBadSpec,
                    "bad staging spec: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set "
                    "(from the artifact store's credentials Secret)");
      }
      try {
        client = std::make_unique<S3Client>(std::move(cfg));
      } catch (const std::exception& e) {
        return fail(kExitBadSpec, std::string("bad staging spec: store: ") + e.what());
      }
    }

    for (const InputSpec& in : spec.inputs) {
      const auto start = std::chrono::steady_clock::now();
      try {
        const TransferStats s = downloadInput(*client, in, kTransferConcurrency);
        if (s.files == 0) {
          // Legitimate for an upstream step that wrote an empty directory,
          // but also what a mistyped literal URI looks like: say so.
          logLine("warning: input '" + in.name + "': no objects under " + in.uri.str() +
                  "; " + in.path + " is an empty directory");
        }
        logLine("input '" + in.name + "': " + std::to_string(s.files) + " file(s), " +
                std::to_string(s.bytes) + " bytes from " + in.uri.str() + " to " + in.path +
                " in " + shortSeconds(secondsSince(start)));
      } catch (const std::exception& e) {
        return fail(kExitInputFailed, "input '" + in.name + "' (" + in.uri.str() + " -> " +
                                          in.path + "): " + belowUri(e.what(), in.uri.str()));
      }
    }

    ChildResult child;
    OutputTail tail;
    try {
      child = runCommand(command_, &tail);
    } catch (const SpawnError& e) {
      return fail(e.errnum == ENOENT ? kExitCommandNotFound : kExitCannotExecute, e.what());
    }
    if (child.exitCode != 0) {
      // Worded as DESIGN.md's failureReason ("Step 'X' failed: exit code 2");
      // outputs of a failed command are not uploaded.
      const std::string why = child.signal != 0
                                  ? "killed by signal " + std::to_string(child.signal) + " (" +
                                        strsignal(child.signal) + ")"
                                  : "exit code " + std::to_string(child.exitCode);
      // The end of its output says why, as a failed step's log would; the
      // whole log stays in the container's (kubectl logs).
      const std::string last = tail.lastLines(kFailureOutputLines, kFailureOutputBytes);
      return fail(child.exitCode, last.empty() ? why : why + "; last output:\n" + last);
    }

    TerminationMessage message;
    for (const PropertySpec& p : spec.properties) {
      try {
        message.properties.push_back({p.name, extractJsonPath(readWholeFile(p.file), p.jsonPath)});
      } catch (const std::exception& e) {
        return fail(kExitPropertyFailed, "property '" + p.name + "' (" + p.file + "): " + e.what());
      }
    }
    for (const OutputSpec& out : spec.outputs) {
      const auto start = std::chrono::steady_clock::now();
      try {
        message.outputs.push_back(uploadOutput(*client, out, kTransferConcurrency));
        const OutputResult& r = message.outputs.back();
        logLine("output '" + out.name + "': " + std::to_string(r.files) + " file(s), " +
                std::to_string(r.size) + " bytes from " + out.path + " to " + r.uri + " in " +
                shortSeconds(secondsSince(start)));
      } catch (const std::exception& e) {
        return fail(kExitOutputFailed, "output '" + out.name + "' (" + out.path + " -> " +
                                           out.uri.str() + "): " + belowUri(e.what(), out.uri.str()));
      }
    }

    const auto encoded = encodeWithinLimit(message);
    if (!encoded) {
      return fail(kExitMessageTooLarge, tooLargeReason(message));
    }
    try {
      writeTerminationMessage(messagePath_, *encoded);
    } catch (const std::exception& e) {
      logLine(std::string("error: ") + e.what());
      return kExitRunnerError;
    }
    return 0;
  }

 private:
  // Logs, leaves a complete failure message, returns `code`.
  int fail(int code, const std::string& error) {
    logLine("error: " + error);
    try {
      writeTerminationMessage(messagePath_, encodeFailure(code, error));
    } catch (const std::exception& e) {
      logLine(std::string("error: ") + e.what());
    }
    return code;
  }

  static std::string readWholeFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(std::string("cannot read: ") + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw std::runtime_error(std::string("cannot read: ") + std::strerror(errno));
    return ss.str();
  }

  static std::string tooLargeReason(const TerminationMessage& m) {
    std::string largest;
    std::size_t largestSize = 0;
    for (const auto& p : m.properties) {
      if (p.value.size() > largestSize) {
        largestSize = p.value.size();
        largest = "property '" + p.name + "'";
      }
    }
    for (const auto& o : m.outputs) {
      if (o.uri.size() > largestSize) {
        largestSize = o.uri.size();
        largest = "output '" + o.name + "' URI";
      }
    }
    std::string reason = "termination message would be " +
                         std::to_string(encodeTerminationMessage(m).size()) + " bytes, over the " +
                         std::to_string(kMaxTerminationMessageBytes) + "-byte limit";
    if (!largest.empty()) reason += "; largest entry: " + largest + " (" + std::to_string(largestSize) + " bytes)";
    return reason + "; properties are for small values, write large ones to an output";
  }

  std::vector<std::string> command_;
  std::string messagePath_;
  // A member, not a local of run(): its destructor must not run (see
  // runnerMain).
  std::unique_ptr<S3Client> client_;
};

}  // namespace

int runnerMain(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage();
  const std::string verb = args[0];
  args.erase(args.begin());
  if (verb == "init") return args.size() == 1 ? installRunner(args[0]) : usage();
  if (verb == "exec") {
    if (args.empty() || args[0] != "--" || args.size() < 2) return usage();
    args.erase(args.begin());
    exitOnTermination();
    // The result is written (termination message, logs) when run() returns;
    // the process then ends without destructors. cpprestsdk's client and
    // thread pool can hang in them after failed connections: a step's pod
    // stayed Running minutes after the runner had reported "cannot reach"
    // the store. So the run is never destroyed, and _exit skips the rest.
    auto* run = new ExecRun(std::move(args));
    const int code = run->run();
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    ::_exit(code);
  }
  return usage();
}

}  // namespace sluice::runner

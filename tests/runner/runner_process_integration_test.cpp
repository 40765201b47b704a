// sluice-runner as a process (spawned with posix_spawn, no shell for its
// parameters) against the real S3 server: inputs downloaded, command run,
// outputs uploaded, properties reported, exit codes propagated; and each
// bad input failing clearly with a complete termination message.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <cpprest/json.h>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "crypto.h"
#include "integration_support.h"
#include "s3_client.h"

extern char** environ;

namespace sluice::runner {
namespace {

using namespace sluice::runner::testing;
namespace fs = std::filesystem;
using web::json::value;

struct RunResult {
  int exitCode = -1;
  std::string stderrText;
};

// Spawns sluice-runner with exactly `env` (plus PATH) and waits for it.
// `onStarted`, when given, runs with the pid while the runner is alive.
RunResult spawnRunner(const std::vector<std::string>& args, const std::vector<std::string>& env,
                      const std::string& stderrPath,
                      const std::function<void(pid_t)>& onStarted = nullptr,
                      const std::string& binary = SLUICE_RUNNER_BIN) {
  std::vector<std::string> argv{binary};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::vector<std::string> fullEnv = env;
  fullEnv.push_back(std::string("PATH=") + (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin"));
  std::vector<char*> cenv;
  for (auto& e : fullEnv) cenv.push_back(e.data());
  cenv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, stderrPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  RunResult r;
  if (rc != 0) {
    r.stderrText = std::string("posix_spawn failed: ") + std::strerror(rc);
    return r;
  }
  if (onStarted) onStarted(pid);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.stderrText = readTextFile(stderrPath);
  return r;
}

class RunnerIT : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(loadS3Env(env_));
    client_ = std::make_unique<S3Client>(clientConfig(env_));
    bucket_ = uniqueBucketName();
    client_->createBucket(bucket_);
    messagePath_ = dir_ / "msgdir/termination-log";
    fs::create_directories(dir_ / "msgdir");
    // Stale content that must be replaced whole, never partially.
    writeTextFile(messagePath_, std::string(5000, '#'));
  }

  value store(const std::string& endpoint = "") const {
    value s = value::object();
    s["endpoint"] = value::string(endpoint.empty() ? env_.endpoint : endpoint);
    s["region"] = value::string(env_.region);
    s["forcePathStyle"] = value::boolean(true);
    s["multipartThresholdBytes"] = value::number(static_cast<std::uint64_t>(5u << 20));
    s["partSizeBytes"] = value::number(static_cast<std::uint64_t>(5u << 20));
    return s;
  }

  std::vector<std::string> runnerEnv(const value& spec, const std::string& secret = "") const {
    return {"SLUICE_STAGING=" + spec.serialize(), "SLUICE_TERMINATION_MESSAGE_PATH=" + messagePath_,
            "AWS_ACCESS_KEY_ID=" + env_.accessKey,
            "AWS_SECRET_ACCESS_KEY=" + (secret.empty() ? env_.secretKey : secret)};
  }

  RunResult run(const value& spec, const std::vector<std::string>& command,
                const std::string& secret = "") {
    std::vector<std::string> args{"exec", "--"};
    args.insert(args.end(), command.begin(), command.end());
    return spawnRunner(args, runnerEnv(spec, secret), dir_ / "stderr.txt");
  }

  // The message must be one complete JSON document with the process's code,
  // and nothing but it may be left in its directory.
  value completeMessage(int exitCode) {
    const std::string text = readTextFile(messagePath_);
    EXPECT_LE(text.size(), 4096u);
    value msg;
    try {
      msg = value::parse(text);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "termination message is not complete JSON: " << text.substr(0, 200);
      return value::object();
    }
    EXPECT_EQ(msg.at("exitCode").as_integer(), exitCode);
    int entries = 0;
    for (const auto& e : fs::directory_iterator(dir_ / "msgdir")) {
      (void)e;
      ++entries;
    }
    EXPECT_EQ(entries, 1) << "temporary files left next to the termination message";
    return msg;
  }

  S3TestEnv env_;
  std::unique_ptr<S3Client> client_;
  std::string bucket_;
  ScratchDir dir_;
  std::string messagePath_;
};

value item(std::initializer_list<std::pair<const char*, std::string>> fields) {
  value v = value::object();
  for (const auto& [k, s] : fields) v[k] = value::string(s);
  return v;
}

value arrayOf(std::initializer_list<value> items) {
  value a = value::array();
  std::size_t i = 0;
  for (const auto& it : items) a[i++] = it;
  return a;
}

TEST_F(RunnerIT, StagesInputsRunsCommandUploadsOutputsReportsProperties) {
  // Inputs: a tree (prefix) and one object.
  writeRandomFile(dir_ / "seed/a.bin", 1000, 1);
  writeRandomFile(dir_ / "seed/sub/b.bin", 2000, 2);
  client_->putObjectFromFile(bucket_, "up/train/a.bin", dir_ / "seed/a.bin");
  client_->putObjectFromFile(bucket_, "up/train/sub/b.bin", dir_ / "seed/sub/b.bin");
  client_->putObjectFromString(bucket_, "up/config.json", R"({"rounds": 3})");

  const std::string work = dir_.path() + "/work";
  value spec = value::object();
  spec["inputs"] = arrayOf({item({{"name", "train"}, {"uri", "s3://" + bucket_ + "/up/train/"}, {"path", work + "/in/train"}}),
                            item({{"name", "cfg"}, {"uri", "s3://" + bucket_ + "/up/config.json"}, {"path", work + "/in/config.json"}})});
  spec["outputs"] = arrayOf({item({{"name", "copy"}, {"path", work + "/out/copy"}, {"uri", "s3://" + bucket_ + "/run/copy/"}}),
                             item({{"name", "model"}, {"path", work + "/out/model.bin"}, {"uri", "s3://" + bucket_ + "/run/model/"}})});
  spec["properties"] = arrayOf({item({{"name", "mse"}, {"file", work + "/out/copy/metrics.json"}, {"jsonPath", "regression_metrics.mse.value"}}),
                                item({{"name", "rounds"}, {"file", work + "/in/config.json"}, {"jsonPath", "rounds"}})});
  spec["store"] = store();

  // The step: copy the input tree, write metrics, and a model above the
  // (5 MiB) multipart threshold. Paths are arguments, never spliced into the script.
  writeRandomFile(dir_ / "model-src.bin", (6u << 20) + 77, 3);
  const RunResult r = run(spec, {"/bin/sh", "-c",
                                 "mkdir -p \"$2\" && cp -R \"$1\"/. \"$2\"/ && "
                                 "printf '{\"regression_metrics\":{\"mse\":{\"value\":4.37}}}' > \"$2\"/metrics.json && "
                                 "cp \"$3\" \"$4\"",
                                 "step", work + "/in/train", work + "/out/copy", dir_ / "model-src.bin",
                                 work + "/out/model.bin"});
  ASSERT_EQ(r.exitCode, 0) << r.stderrText;
  EXPECT_TRUE(sameBytes(dir_ / "seed/sub/b.bin", work + "/in/train/sub/b.bin"));

  const value msg = completeMessage(0);
  ASSERT_TRUE(msg.has_field("outputs")) << msg.serialize();
  const auto& outputs = msg.at("outputs").as_array();
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs.at(0).at("name").as_string(), "copy");
  EXPECT_EQ(outputs.at(0).at("uri").as_string(), "s3://" + bucket_ + "/run/copy/");
  EXPECT_EQ(outputs.at(0).at("files").as_integer(), 3);
  const std::string metrics = R"({"regression_metrics":{"mse":{"value":4.37}}})";
  EXPECT_EQ(outputs.at(0).at("size").as_integer(), 3000 + static_cast<int>(metrics.size()));
  // The documented manifest digest, recomputed here independently.
  auto line = [](const std::string& rel, const std::string& path) {
    std::uint64_t size = 0;
    const std::string h = sha256FileHex(path, &size);
    return rel + '\0' + std::to_string(size) + '\0' + h + '\n';
  };
  const std::string manifest = line("a.bin", dir_ / "seed/a.bin") +
                               line("metrics.json", work + "/out/copy/metrics.json") +
                               line("sub/b.bin", dir_ / "seed/sub/b.bin");
  EXPECT_EQ(outputs.at(0).at("sha256").as_string(), sha256Hex(manifest));
  EXPECT_EQ(outputs.at(1).at("name").as_string(), "model");
  EXPECT_EQ(outputs.at(1).at("size").as_number().to_uint64(), (6u << 20) + 77u);
  EXPECT_EQ(outputs.at(1).at("sha256").as_string(), sha256FileHex(dir_ / "model-src.bin"));

  const auto& props = msg.at("properties").as_array();
  ASSERT_EQ(props.size(), 2u);
  EXPECT_EQ(props.at(0).at("name").as_string(), "mse");
  EXPECT_EQ(props.at(0).at("value").as_string(), "4.37");
  EXPECT_EQ(props.at(1).at("value").as_string(), "3");

  // What landed in S3 is byte-exact (the model went up in multipart).
  client_->getObjectToFile(bucket_, "run/model/model.bin", dir_ / "model-back.bin");
  EXPECT_TRUE(sameBytes(dir_ / "model-src.bin", dir_ / "model-back.bin"));
  EXPECT_NE(client_->headObject(bucket_, "run/model/model.bin").etag.find("-2"), std::string::npos);
  client_->getObjectToFile(bucket_, "run/copy/sub/b.bin", dir_ / "b-back.bin");
  EXPECT_TRUE(sameBytes(dir_ / "seed/sub/b.bin", dir_ / "b-back.bin"));
}

TEST_F(RunnerIT, CommandExitCodeIsPropagatedAndOutputsAreNotUploaded) {
  const std::string work = dir_.path() + "/work";
  value spec = value::object();
  spec["outputs"] = arrayOf({item({{"name", "o"}, {"path", work + "/o"}, {"uri", "s3://" + bucket_ + "/run/o/"}})});
  spec["store"] = store();
  const RunResult r = run(spec, {"/bin/sh", "-c", "mkdir -p \"$1\" && echo x > \"$1\"/f && exit 7", "step", work + "/o"});
  EXPECT_EQ(r.exitCode, 7) << r.stderrText;
  const value msg = completeMessage(7);
  EXPECT_NE(msg.at("error").as_string().find("exit code 7"), std::string::npos);
  EXPECT_TRUE(client_->listObjects(bucket_, "run/o/").empty());
}

// A failed command's message ends with the last lines it wrote (stdout and
// stderr as they came), while the runner's own stderr still carries the
// whole output: the container log is not shortened.
TEST_F(RunnerIT, FailedCommandMessageQuotesTheEndOfItsOutput) {
  value spec = value::object();
  spec["store"] = store();
  const RunResult r =
      run(spec, {"/bin/sh", "-c", "i=1; while [ $i -le 30 ]; do echo line $i; i=$((i+1)); done; echo 'no such column: mse' >&2; exit 3"});
  EXPECT_EQ(r.exitCode, 3) << r.stderrText;
  const std::string error = completeMessage(3).at("error").as_string();
  EXPECT_EQ(error.rfind("exit code 3; last output:\n", 0), 0u) << error;
  EXPECT_NE(error.find("line 30\nno such column: mse"), std::string::npos) << error;
  EXPECT_NE(error.find("line 22\n"), std::string::npos) << "the last 10 lines are quoted: " << error;
  EXPECT_EQ(error.find("line 21\n"), std::string::npos) << "only the last 10 lines are quoted: " << error;
  EXPECT_NE(r.stderrText.find("no such column: mse"), std::string::npos) << "stderr is still forwarded";
}

// A command that exits while a process it started keeps its output open:
// the runner does not wait for that process, and reports the exit.
TEST_F(RunnerIT, CommandExitIsNotHeldUpByABackgroundProcessKeepingItsOutput) {
  value spec = value::object();
  spec["store"] = store();
  const auto start = std::chrono::steady_clock::now();
  const RunResult r = run(spec, {"/bin/sh", "-c", "sleep 30 & echo started; exit 4"});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exitCode, 4) << r.stderrText;
  EXPECT_LT(took, std::chrono::seconds(20)) << "waited for the background sleep";
  EXPECT_NE(completeMessage(4).at("error").as_string().find("started"), std::string::npos);
}

TEST_F(RunnerIT, SigtermIsForwardedToTheCommand) {
  value spec = value::object();
  spec["store"] = store();
  const std::string ready = dir_ / "ready";
  std::vector<std::string> args{"exec", "--", "/bin/sh", "-c",
                                "trap 'exit 42' TERM; touch \"$1\"; while :; do sleep 0.05; done",
                                "step", ready};
  const RunResult r = spawnRunner(args, runnerEnv(spec), dir_ / "stderr.txt", [&](pid_t pid) {
    // Integration test: wait (bounded) for the command to be up.
    for (int i = 0; i < 400 && !fs::exists(ready); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    kill(pid, SIGTERM);
  });
  EXPECT_TRUE(fs::exists(ready));
  EXPECT_EQ(r.exitCode, 42) << r.stderrText;
  completeMessage(42);
}

TEST_F(RunnerIT, BadInputsFailClearlyWithACompleteMessage) {
  client_->putObjectFromString(bucket_, "up/present.json", R"({"a": 1})");
  const std::string work = dir_.path() + "/work";
  auto specWith = [&](const std::string& inputUri, const std::string& propFile,
                      const std::string& jsonPath, const std::string& endpoint = "") {
    value spec = value::object();
    spec["inputs"] = arrayOf({item({{"name", "in"}, {"uri", inputUri}, {"path", work + "/in.json"}})});
    if (!propFile.empty()) {
      spec["properties"] = arrayOf({item({{"name", "p"}, {"file", propFile}, {"jsonPath", jsonPath}})});
    }
    spec["store"] = store(endpoint);
    return spec;
  };
  const std::string present = "s3://" + bucket_ + "/up/present.json";
  writeTextFile(dir_ / "big.json", "{\"blob\": \"" + std::string(5000, 'x') + "\"}");

  struct Case {
    const char* name;
    value spec;
    std::string secret;
    std::vector<std::string> command;
    int wantExit;
    const char* wantInError;
  };
  const std::string closed = "http://127.0.0.1:" + std::to_string(closedLocalPort());
  value missingOutput = specWith(present, "", "");
  missingOutput["outputs"] = arrayOf({item({{"name", "model"}, {"path", work + "/never-written"},
                                            {"uri", "s3://" + bucket_ + "/run/model/"}})});
  const Case cases[] = {
      {"missing input object", specWith("s3://" + bucket_ + "/up/absent.json", "", ""), "", {"true"}, 121, "NoSuchKey"},
      {"unreachable endpoint", specWith(present, "", "", closed), "", {"true"}, 121, "cannot reach"},
      {"wrong credentials", specWith(present, "", ""), "wrong-secret", {"true"}, 121, "SignatureDoesNotMatch"},
      {"unreadable property file", specWith(present, work + "/no-such-file.json", "a"), "", {"true"}, 123, "cannot read"},
      {"bad JSON path", specWith(present, work + "/in.json", "a.b.c"), "", {"true"}, 123, "cannot take 'b'"},
      {"message over 4 KiB", specWith(present, dir_ / "big.json", "blob"), "", {"true"}, 124, "over the 4096-byte limit"},
      {"bad spec", value::parse(R"({"inputs": "nope", "store": {"endpoint": "http://x"}})"), "", {"true"}, 120, "inputs: must be an array"},
      {"command not found", specWith(present, "", ""), "", {"no-such-command-sluice"}, 127, "cannot execute"},
      {"CA bundle missing", [&] {
         value v = specWith(present, "", "");
         v["store"]["caFile"] = value::string(work + "/no-such-ca.pem");
         return v;
       }(), "", {"true"}, 120, "store.caFile: cannot read"},
      {"output never written", missingOutput, "", {"true"}, 122, "does not exist (the command did not write it)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    writeTextFile(messagePath_, std::string(5000, '#'));
    const RunResult r = run(c.spec, c.command, c.secret);
    EXPECT_EQ(r.exitCode, c.wantExit) << r.stderrText;
    EXPECT_NE(r.stderrText.find("sluice-runner: error: "), std::string::npos) << r.stderrText;
    EXPECT_NE(r.stderrText.find(c.wantInError), std::string::npos) << r.stderrText;
    const value msg = completeMessage(c.wantExit);
    ASSERT_TRUE(msg.has_field("error"));
    EXPECT_NE(msg.at("error").as_string().find(c.wantInError), std::string::npos) << msg.serialize();
    // The object's URI is said once, in "input 'in' (URI -> path)": the S3
    // error below it does not repeat it.
    const std::string error = msg.at("error").as_string();
    const auto firstUri = error.find("s3://");
    if (firstUri != std::string::npos) {
      EXPECT_EQ(error.find("s3://", firstUri + 1), std::string::npos) << error;
    }
    EXPECT_EQ(r.stderrText.find(env_.secretKey), std::string::npos) << "secret leaked to the log";
  }
}

// The build's binary has no lib/ beside it: init refuses, naming what the
// image must hold, instead of installing a runner the step cannot start.
TEST_F(RunnerIT, InitRefusesWithoutItsLibDirectory) {
  fs::create_directories(dir_ / "shared");
  const RunResult r = spawnRunner({"init", dir_ / "shared"}, {}, dir_ / "stderr.txt");
  EXPECT_EQ(r.exitCode, 125);
  EXPECT_NE(r.stderrText.find("no lib/ beside"), std::string::npos) << r.stderrText;
  EXPECT_FALSE(fs::exists(dir_ / "shared/sluice-runner")) << "a partial install was left behind";
}

// The files of `fileNames` this process has mapped (its loader, libc,
// libcpprest ...), found the way the loader found them for this test.
std::map<std::string, std::string> mappedLibraries(const std::vector<std::string>& fileNames) {
  std::map<std::string, std::string> found;
  std::istringstream ownMaps(readTextFile("/proc/self/maps"));
  for (std::string l; std::getline(ownMaps, l);) {
    const auto pos = l.find('/');
    if (pos == std::string::npos) continue;
    const std::string path = l.substr(pos);
    for (const auto& name : fileNames)
      if (fs::path(path).filename().string().rfind(name, 0) == 0) found[name] = path;
  }
  return found;
}

// An image laid out as assemble-rootfs.sh does (the runner, lib/ with its
// libraries and the dynamic loader): init carries lib/ along plus the loader
// as ld.so, and the copy started the way the Job starts it (DEST/ld.so
// DEST/sluice-runner exec) takes the loader, libc and libcpprest from DEST.
TEST_F(RunnerIT, InitCarriesTheLibDirectoryAndTheCopyUsesItsOwnLoaderAndLibc) {
  fs::create_directories(dir_ / "image/lib");
  fs::copy_file(SLUICE_RUNNER_BIN, dir_ / "image/sluice-runner");
  fs::permissions(dir_ / "image/sluice-runner", fs::perms::owner_all);
  const auto libs = mappedLibraries({"ld-linux", "libc.so.", "libcpprest.so"});
  ASSERT_EQ(libs.size(), 3u) << "this test links libcpprest and glibc, so they must be mapped";
  for (const auto& [name, path] : libs) fs::copy_file(path, dir_ / "image/lib" / fs::path(path).filename());
  fs::create_directories(dir_ / "shared");
  const RunResult r = spawnRunner({"init", dir_ / "shared"}, {}, dir_ / "stderr.txt", nullptr,
                                  dir_ / "image/sluice-runner");
  ASSERT_EQ(r.exitCode, 0) << r.stderrText;
  for (const auto& [name, path] : libs)
    EXPECT_TRUE(sameBytes(path, dir_ / "shared/lib" / fs::path(path).filename())) << name;
  EXPECT_TRUE(sameBytes(libs.at("ld-linux"), dir_ / "shared/ld.so"));
  EXPECT_TRUE(sameBytes(SLUICE_RUNNER_BIN, dir_ / "shared/sluice-runner"));

  value spec = value::object();
  spec["store"] = store();
  const std::string maps = dir_ / "copy-maps.txt";
  // The command reads its parent's (the runner's) memory map.
  const RunResult self =
      spawnRunner({dir_ / "shared/sluice-runner", "exec", "--", "/bin/sh", "-c", "cat /proc/$PPID/maps > \"$1\"",
                   "sh", maps},
                  runnerEnv(spec), dir_ / "stderr.txt", nullptr, dir_ / "shared/ld.so");
  ASSERT_EQ(self.exitCode, 0) << self.stderrText;
  const std::string copyMaps = readTextFile(maps);
  const fs::path shared = fs::path(dir_.path()) / "shared";
  EXPECT_NE(copyMaps.find((shared / "ld.so").string()), std::string::npos) << "not started by the copied loader";
  for (const auto& name : {"libc.so.", "libcpprest.so"})
    EXPECT_NE(copyMaps.find((shared / "lib" / fs::path(libs.at(name)).filename()).string()), std::string::npos)
        << "the copy did not load " << name << " from its lib/ directory";
}

}  // namespace
}  // namespace sluice::runner

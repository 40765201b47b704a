// sluice-runner, the entrypoint of every container step.
//
//   sluice-runner init DEST        copy this binary to DEST/sluice-runner
//                                  (DEST: a shared emptyDir), then exit 0
//   sluice-runner exec -- CMD ...  stage inputs, run CMD, stage outputs,
//                                  write the termination message
//
// exec reads the staging spec (see staging_spec.h) from SLUICE_STAGING and
// S3 credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN; it writes the termination message (see
// termination_message.h) to SLUICE_TERMINATION_MESSAGE_PATH, default
// /dev/termination-log.
//
// Exit status: the command's own exit code (128+N when killed by signal N),
// outputs uploaded only when it is 0; or one of the codes below, each with
// a one-line "sluice-runner: error: ..." on stderr and the same text as the
// termination message's "error". A command may itself exit 120-127; the
// "error" field then tells the cases apart.
#pragma once

#include <string>
#include <vector>

namespace sluice::runner {

enum RunnerExit : int {
  kExitBadSpec = 120,           // SLUICE_STAGING missing/invalid, credentials missing
  kExitInputFailed = 121,       // an input could not be downloaded
  kExitOutputFailed = 122,      // an output could not be uploaded (or was not written)
  kExitPropertyFailed = 123,    // a property file unreadable or its jsonPath not found
  kExitMessageTooLarge = 124,   // the termination message would exceed 4096 bytes
  kExitRunnerError = 125,       // usage error, init failure, message not writable
  kExitCannotExecute = 126,     // the command exists but cannot be executed
  kExitCommandNotFound = 127,   // the command was not found
};

int runnerMain(int argc, char** argv);

}  // namespace sluice::runner

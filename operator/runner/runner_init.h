// `sluice-runner init DEST`: the Tekton/Argo entrypoint pattern. An init
// container copies the runner into an emptyDir the main container mounts,
// so any user image can run it.
//
// Copies the running binary's lib/ directory (every shared library it
// loads, glibc and the dynamic loader included; images/runner/
// assemble-rootfs.sh lays it out) to DEST/lib/, the loader once more to
// DEST/ld.so, and /proc/self/exe to DEST/sluice-runner. The step then runs
// `DEST/ld.so DEST/sluice-runner exec -- ...`: the copied loader and the
// runner's DT_RPATH $ORIGIN/lib load everything from DEST, so the runner
// works in an image with an older glibc, another libc or none at all, and
// the step's own program, which the runner execs, still uses the image's.
// Every file is written under a temporary name and renamed, the runner
// last, so the main container never sees a partial copy. Returns 0, or
// logs and returns the runner-error exit code (also when lib/ or the
// loader is missing).
#pragma once

#include <string>

namespace sluice::runner {

// The name DEST/ld.so the Job's command starts the runner with.
inline constexpr const char* kLoaderName = "ld.so";

int installRunner(const std::string& destDir);

}  // namespace sluice::runner

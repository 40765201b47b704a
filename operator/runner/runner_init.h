// `sluice-runner init DEST`: the Tekton/Argo entrypoint pattern. An init
// container copies the runner into an emptyDir the main container mounts,
// so any user image can run it.
//
// Copies /proc/self/exe to DEST/sluice-runner (mode 0755) and, when the
// running binary has a lib/ directory beside it, that directory's regular
// files to DEST/lib/. sluice-runner is linked with RUNPATH $ORIGIN/lib, so
// an image that ships the runner with its non-glibc shared libraries
// (cpprestsdk has no static archive in Debian) in lib/ gives user images a
// runner that needs only glibc. Every file is written under a temporary
// name and renamed, libraries first, so the main container never sees a
// partial copy. Returns 0, or logs and returns the runner-error exit code.
#pragma once

#include <string>

namespace sluice::runner {

int installRunner(const std::string& destDir);

}  // namespace sluice::runner

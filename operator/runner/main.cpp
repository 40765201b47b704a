// sluice-runner: see runner_app.h for the commands and exit codes.
#include "runner_app.h"

// Sanitizer builds only: cpprestsdk 2.10 leaks a few pplx task objects when
// a request fails (e.g. a TLS handshake error); LeakSanitizer would then
// replace the runner's documented exit code with its own. The leak is in
// the library, so it is suppressed for that library alone.
extern "C" const char* __lsan_default_suppressions() { return "leak:libcpprest.so\n"; }

int main(int argc, char** argv) { return sluice::runner::runnerMain(argc, argv); }

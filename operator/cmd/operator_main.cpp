// sluice-operator: the controller binary.
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include <pplx/threadpool.h>

#include "controller/operator_app.h"
#include "controller/operator_flags.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = sluice::controller::parseOperatorFlags(args);
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "sluice-operator: %s\n\n%s", parsed.error.c_str(),
                 sluice::controller::operatorUsage().c_str());
    return 2;
  }
  if (parsed.flags.help) {
    std::fputs(sluice::controller::operatorUsage().c_str(), stdout);
    return 0;
  }
  // Block the stop signals in every thread (threads inherit the mask) and
  // take them synchronously in one place: no async-signal-safety traps.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  // A peer closing a connection must not kill the process.
  signal(SIGPIPE, SIG_IGN);

  // cpprestsdk completes its asynchronous I/O on a shared pool of 40
  // threads by default; the operator only ever blocks its own threads on
  // it, and handing each completion to one of 40 sleepers costs more in
  // wake-ups than the I/O itself: 4 threads cut the operator's CPU per step
  // by about a fifth in bench_operator (system time by a third). Made after
  // the mask above, so its threads inherit it (or SIGTERM would kill).
  crossplat::threadpool::initialize_with_threads(4);

  return sluice::controller::runOperator(parsed.flags, [&] {
    int sig = 0;
    sigwait(&stopSignals, &sig);
  });
}

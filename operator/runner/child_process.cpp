#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::runner {
namespace {

volatile sig_atomic_t gChild = 0;

extern "C" void forwardSignal(int sig) {
  const int saved = errno;
  if (gChild > 0) ::kill(static_cast<pid_t>(gChild), sig);
  errno = saved;
}

}  // namespace

ChildResult runCommand(const std::vector<std::string>& argv) {
  if (argv.empty()) throw SpawnError("no command given", EINVAL);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  // execvp's errno comes back through a close-on-exec pipe: EOF means the
  // exec succeeded.
  int errPipe[2];
  if (::pipe2(errPipe, O_CLOEXEC) != 0) throw SpawnError(std::string("pipe: ") + std::strerror(errno), errno);

  // Block the forwarded signals across fork so one arriving before gChild
  // is set is not lost: it stays pending and is forwarded on unblock.
  sigset_t forwarded, previousMask;
  sigemptyset(&forwarded);
  sigaddset(&forwarded, SIGTERM);
  sigaddset(&forwarded, SIGINT);
  ::pthread_sigmask(SIG_BLOCK, &forwarded, &previousMask);

  struct sigaction act {}, oldTerm {}, oldInt {};
  act.sa_handler = forwardSignal;
  sigemptyset(&act.sa_mask);
  act.sa_flags = SA_RESTART;
  ::sigaction(SIGTERM, &act, &oldTerm);
  ::sigaction(SIGINT, &act, &oldInt);

  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec. Default dispositions
    // and the original mask, so the command sees signals as usual.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(SIGTERM, &dfl, nullptr);
    ::sigaction(SIGINT, &dfl, nullptr);
    ::pthread_sigmask(SIG_SETMASK, &previousMask, nullptr);
    ::close(errPipe[0]);
    ::execvp(cargv[0], cargv.data());
    const int err = errno;
    ssize_t ignored = ::write(errPipe[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  const int forkErrno = errno;
  if (pid > 0) gChild = pid;
  ::pthread_sigmask(SIG_SETMASK, &previousMask, nullptr);
  ::close(errPipe[1]);

  auto restore = [&] {
    gChild = 0;
    ::sigaction(SIGTERM, &oldTerm, nullptr);
    ::sigaction(SIGINT, &oldInt, nullptr);
  };
  if (pid < 0) {
    ::close(errPipe[0]);
    restore();
    throw SpawnError(std::string("fork: ") + std::strerror(forkErrno), forkErrno);
  }

  int execErr = 0;
  ssize_t n;
  do {
    n = ::read(errPipe[0], &execErr, sizeof execErr);
  } while (n < 0 && errno == EINTR);
  ::close(errPipe[0]);

  int status = 0;
  for (;;) {
    const pid_t w = ::waitpid(-1, &status, 0);
    if (w == pid) break;
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {  // ECHILD: cannot happen while our child is unreaped
      restore();
      throw SpawnError(std::string("waitpid: ") + std::strerror(errno), errno);
    }
    // Another (orphaned) process was reaped: keep waiting for ours.
  }
  restore();

  if (n == static_cast<ssize_t>(sizeof execErr)) {
    throw SpawnError("cannot execute '" + argv[0] + "': " + std::strerror(execErr), execErr);
  }
  ChildResult r;
  if (WIFEXITED(status)) {
    r.exitCode = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.exitCode = 128 + r.signal;
  }
  return r;
}

}  // namespace sluice::runner

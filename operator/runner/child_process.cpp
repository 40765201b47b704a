#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
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

void writeAllTo(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // our own stdout is gone: keep the command running
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Copies what is ready on `from` to `to` and into the tail, at most 1 MiB
// a call (so a command that never stops writing cannot keep the exit from
// being noticed). Returns false at EOF or on an error (the pipe is then
// closed).
bool pump(int& from, int to, OutputTail& tail) {
  char buf[1 << 16];
  for (int reads = 0; reads < 16; ++reads) {
    const ssize_t n = ::read(from, buf, sizeof buf);
    if (n > 0) {
      writeAllTo(to, buf, static_cast<std::size_t>(n));
      tail.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    ::close(from);
    from = -1;
    return false;
  }
  return true;
}

// Reaps exited processes without blocking; true once `pid` was among them.
bool reapedChild(pid_t pid, int& status) {
  bool ours = false;
  for (;;) {
    int st = 0;
    const pid_t w = ::waitpid(-1, &st, WNOHANG);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return ours;
    if (w == pid) {
      status = st;
      ours = true;
    }
  }
}

// Waits for `pid` while copying its output pipes (out[0], err[0]) to fds 1
// and 2 and into the tail; then copies what is left without waiting for EOF.
void waitCopyingOutput(pid_t pid, int out, int err, OutputTail& tail, int& status) {
  int fds[2] = {out, err};
  const int to[2] = {1, 2};
  for (int& fd : fds) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  bool exited = false;
  while (!exited) {
    pollfd p[2];
    nfds_t n = 0;
    int which[2];
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0) {
        p[n] = pollfd{fds[i], POLLIN, 0};
        which[n++] = i;
      }
    // A short timeout: the exit is noticed even while a grandchild keeps
    // the pipes open; SIGTERM (forwarded by the handler) ends poll with EINTR.
    const int ready = ::poll(p, n, 100);
    if (ready > 0)
      for (nfds_t k = 0; k < n; ++k)
        if (p[k].revents != 0) pump(fds[which[k]], to[which[k]], tail);
    exited = reapedChild(pid, status);
  }
  for (int i = 0; i < 2; ++i)
    if (fds[i] >= 0) {
      pump(fds[i], to[i], tail);
      if (fds[i] >= 0) ::close(fds[i]);
    }
}

}  // namespace

ChildResult runCommand(const std::vector<std::string>& argv, OutputTail* tail) {
  if (argv.empty()) throw SpawnError("no command given", EINVAL);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  // execvp's errno comes back through a close-on-exec pipe: EOF means the
  // exec succeeded.
  int errPipe[2];
  if (::pipe2(errPipe, O_CLOEXEC) != 0) throw SpawnError(std::string("pipe: ") + std::strerror(errno), errno);
  // The command's stdout and stderr, when they are to be copied.
  int outPipe[2] = {-1, -1}, errOutPipe[2] = {-1, -1};
  if (tail != nullptr && (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errOutPipe, O_CLOEXEC) != 0)) {
    const int e = errno;
    for (int fd : {errPipe[0], errPipe[1], outPipe[0], outPipe[1], errOutPipe[0], errOutPipe[1]})
      if (fd >= 0) ::close(fd);
    throw SpawnError(std::string("pipe: ") + std::strerror(e), e);
  }

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
    // dup2 leaves the new descriptors open across exec; the pipes' own
    // ends are close-on-exec.
    if (tail != nullptr && (::dup2(outPipe[1], 1) < 0 || ::dup2(errOutPipe[1], 2) < 0)) ::_exit(127);
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
  if (tail != nullptr) {
    ::close(outPipe[1]);
    ::close(errOutPipe[1]);
  }

  auto restore = [&] {
    gChild = 0;
    ::sigaction(SIGTERM, &oldTerm, nullptr);
    ::sigaction(SIGINT, &oldInt, nullptr);
  };
  if (pid < 0) {
    ::close(errPipe[0]);
    if (tail != nullptr) {
      ::close(outPipe[0]);
      ::close(errOutPipe[0]);
    }
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
  if (tail != nullptr) {
    waitCopyingOutput(pid, outPipe[0], errOutPipe[0], *tail, status);
  } else {
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

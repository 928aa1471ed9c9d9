// The ways a process image ends without running the recorder's destructor (docs/recording.md, "The
// recorder"): _exit, _Exit and quick_exit write the stream first, and every exec writes it and leaves a mark.
// And the signal handlers the recorder installs stay its own business: a program that asks what a
// signal's handler is hears SIG_DFL, as it would have without the recorder.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "recorder.h"

/* The functions the program would have called, found with the allocation functions (a signal handler or a vfork child must not call dlsym). */
#define LEAVING(X) X(_exit) X(quick_exit) X(execve) X(execv) X(execvp) X(execvpe) X(fexecve) X(execveat) X(sigaction)
#define DECLARE(name) static __typeof__(name) *real_##name;
#define RESOLVE(name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name);
LEAVING(DECLARE)

void hi_resolve_leaving(void) { LEAVING(RESOLVE) }

#define REAL(name) \
  if (real_##name == NULL) hi_resolve_leaving(); \
  __typeof__(name) *real = real_##name;

void _exit(int status) {
  REAL(_exit);
  hi_stop();
  if (real != NULL) real(status);
  for (;;) syscall(SYS_exit_group, status);
}

void _Exit(int status) { _exit(status); }

/* quick_exit runs its at_quick_exit handlers and no destructor: the stream is written first (the handlers' events one by one). */
void quick_exit(int status) {
  REAL(quick_exit);
  hi_stop();
  if (real != NULL) real(status);
  _exit(status);
}

#define EXEC(name, ...) \
  REAL(name); \
  if (real == NULL) { \
    errno = ENOSYS; \
    return -1; \
  } \
  int started = hi_exec_started(); \
  return hi_exec_failed(started, real(__VA_ARGS__));

int execve(const char *path, char *const argv[], char *const envp[]) { EXEC(execve, path, argv, envp) }
int execv(const char *path, char *const argv[]) { EXEC(execv, path, argv) }
int execvp(const char *file, char *const argv[]) { EXEC(execvp, file, argv) }
int execvpe(const char *file, char *const argv[], char *const envp[]) { EXEC(execvpe, file, argv, envp) }
int fexecve(int fd, char *const argv[], char *const envp[]) { EXEC(fexecve, fd, argv, envp) }
int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags) { EXEC(execveat, dirfd, path, argv, envp, flags) }

/* execl, execlp and execle: their arguments gathered into an array on the stack, then the v forms above. */
#define GATHER(first, after) \
  va_list ap; \
  size_t n = 1; \
  va_start(ap, first); \
  while (va_arg(ap, char *) != NULL) n++; \
  va_end(ap); \
  char *argv[n + 1]; \
  argv[0] = (char *)first; \
  va_start(ap, first); \
  for (size_t i = 1; i <= n; i++) argv[i] = va_arg(ap, char *); \
  after; \
  va_end(ap);

int execl(const char *path, const char *arg, ...) {
  GATHER(arg, (void)0)
  return execv(path, argv);
}

int execlp(const char *file, const char *arg, ...) {
  GATHER(arg, (void)0)
  return execvp(file, argv);
}

int execle(const char *path, const char *arg, ...) {
  char *const *envp;
  GATHER(arg, envp = va_arg(ap, char *const *))
  return execve(path, argv, envp);
}

/* Python, for one, installs its KeyboardInterrupt handler only where it finds SIGINT's default action. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
  REAL(sigaction);
  int rc = real(sig, act, old);
  if (rc == 0 && old != NULL && !(old->sa_flags & SA_SIGINFO) && old->sa_handler == hi_on_fatal) {
    old->sa_handler = SIG_DFL;
    old->sa_flags = 0;
    sigemptyset(&old->sa_mask);
  }
  return rc;
}

/* glibc's signal, BSD semantics: the handler stays, interrupted calls restart, the signal is blocked while it runs. */
__sighandler_t signal(int sig, __sighandler_t handler) {
  struct sigaction act = { .sa_handler = handler, .sa_flags = SA_RESTART }, old;
  sigaddset(&act.sa_mask, sig);
  return sigaction(sig, &act, &old) == 0 ? old.sa_handler : SIG_ERR;
}

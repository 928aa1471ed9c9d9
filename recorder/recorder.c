// Heap Inspector's allocation recorder (docs/recording.md): preloaded into a program, it logs every
// malloc, calloc, realloc, free and aligned allocation to a binary stream, one file per process
// image, that src/trace/recorded/ turns into a .rep trace. Linux with glibc only. The ways an image
// ends without its destructor (_exit, exec) and the signal queries are leaving.c's.
//
// Invariants (docs/recording.md, "The recorder"): a free is logged before the real free and an
// allocation after it returns, and realloc is logged under the lock it runs in, so the log's order
// never shows an address handed out while the log still has it live. The recorder's own work and
// dlsym's bootstrap allocations are never logged. Nothing here calls malloc.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "recorder.h"

/* The stream's format; src/trace/recorded/recordedStream.ts reads it. */
#define MAGIC "HIREC\0\0\0"
#define VERSION 2
/* EV_END: the recorder's last write as the image ends (exit, _exit, a fatal signal); a stream
   without it, or an exec mark, lost the events after its last write (SIGKILL, a stack overflow). */
enum { EV_MALLOC = 1, EV_CALLOC, EV_REALLOC, EV_FREE, EV_REALLOCARRAY, EV_POSIX_MEMALIGN, EV_ALIGNED_ALLOC, EV_MEMALIGN, EV_VALLOC, EV_PVALLOC, EV_EXEC, EV_EXEC_FAILED, EV_END };

struct event { uint8_t kind, pad[3]; uint32_t tid; uint64_t ns, result, old, a, b; };

struct header {
  char magic[8];
  uint32_t version, header_bytes, event_bytes, endian;
  uint32_t pid, ppid, seq, exe_bytes, cmdline_bytes, pad;
  uint64_t start_ns, start_unix_ns;
  char libc[32];
};

#define TLS __thread __attribute__((tls_model("initial-exec")))

enum { UNINIT, INACTIVE, ACTIVE };
static int state = UNINIT;
static int follow;
static int fd = -1; /* the stream, and which file it is (the program may close the descriptor) */
static dev_t stream_dev;
static ino_t stream_ino;
static uint32_t owner_pid; /* the process the stream belongs to (a vfork child is not it) */
static uint64_t start_ns;
static char dir[4096], stream_path[4096 + 32];
static volatile uint32_t lock_owner;
static char buf[1 << 16];
static size_t used;
static int exiting; /* after the destructor: every event is written at once */
static TLS int busy; /* the thread is in the recorder or in a real function called from a wrapper */
static TLS uint32_t my_tid;

/* The functions wrapped, found with dlsym(RTLD_NEXT) on first use: real_malloc and so on. */
#define REAL_FUNCTIONS(X) \
  X(void *, malloc, (size_t)) X(void *, calloc, (size_t, size_t)) X(void *, realloc, (void *, size_t)) X(void, free, (void *)) \
  X(void *, reallocarray, (void *, size_t, size_t)) X(int, posix_memalign, (void **, size_t, size_t)) X(void *, aligned_alloc, (size_t, size_t)) \
  X(void *, memalign, (size_t, size_t)) X(void *, valloc, (size_t)) X(void *, pvalloc, (size_t))
#define DECLARE_REAL(type, name, params) static type(*real_##name) params;
REAL_FUNCTIONS(DECLARE_REAL)

/* dlsym may allocate before the real functions are known: those calls get this, and are never logged. */
static char boot[1 << 16] __attribute__((aligned(64)));
static size_t boot_used;
static int resolving, resolved;

static int is_boot(const void *p) { return (const char *)p >= boot && (const char *)p < boot + sizeof boot; }

static void *boot_alloc(size_t size, size_t align) {
  if (align < 16) align = 16;
  for (;;) {
    size_t at = __atomic_load_n(&boot_used, __ATOMIC_RELAXED);
    size_t start = (at + 16 + align - 1) & ~(align - 1); /* room for the size just before */
    if (size > sizeof boot || start + size > sizeof boot) return NULL;
    if (__atomic_compare_exchange_n(&boot_used, &at, start + size, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
      ((size_t *)(boot + start))[-1] = size;
      return boot + start;
    }
  }
}

#define RESOLVE_REAL(type, name, params) real_##name = (type(*) params)dlsym(RTLD_NEXT, #name);
static void resolve(void) {
  if (__atomic_load_n(&resolved, __ATOMIC_ACQUIRE)) return;
  resolving = 1;
  REAL_FUNCTIONS(RESOLVE_REAL)
  hi_resolve_leaving();
  resolving = 0;
  __atomic_store_n(&resolved, 1, __ATOMIC_RELEASE);
}

static uint32_t tid(void) {
  if (my_tid == 0) my_tid = (uint32_t)syscall(SYS_gettid);
  return my_tid;
}

static uint64_t now(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Puts the stream's descriptor out of the way of the program's own, and remembers which file it is. */
static int attach(int f) {
  int high = fcntl(f, F_DUPFD_CLOEXEC, 512);
  if (high >= 0) {
    close(f);
    f = high;
  }
  struct stat st;
  if (f >= 0 && fstat(f, &st) == 0) {
    stream_dev = st.st_dev;
    stream_ino = st.st_ino;
  }
  return f;
}

/* Writes the buffer out; the caller holds the lock. A program may close every descriptor it did not
   open (and open others in their place): the stream is then opened again by name. A full disk ends
   the stream short, and the reader says so. */
static void flush_locked(void) {
  struct stat st;
  if (fd >= 0 && (fstat(fd, &st) != 0 || st.st_dev != stream_dev || st.st_ino != stream_ino)) fd = attach(open(stream_path, O_WRONLY | O_APPEND | O_CLOEXEC));
  for (size_t at = 0; at < used && fd >= 0;) {
    ssize_t w = write(fd, buf + at, used - at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    at += (size_t)w;
  }
  used = 0;
}

static int try_lock(uint32_t me) {
  uint32_t free_ = 0;
  return __atomic_compare_exchange_n(&lock_owner, &free_, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* Taking the lock marks the thread busy, so an allocation made meanwhile (a signal handler's) is not logged and cannot wait on it. */
static void lock(void) {
  busy++;
  while (!try_lock(tid())) sched_yield();
}

static void unlock(void) {
  __atomic_store_n(&lock_owner, 0, __ATOMIC_RELEASE);
  busy--;
}

/* Appends one event; the caller holds the lock. errno is the program's and stays so. */
static void append_locked(uint8_t kind, const void *result, const void *old, uint64_t a, uint64_t b) {
  int saved = errno;
  struct event e = { .kind = kind, .tid = tid(), .ns = now(CLOCK_MONOTONIC) - start_ns, .result = (uintptr_t)result, .old = (uintptr_t)old, .a = a, .b = b };
  if (used + sizeof e > sizeof buf) flush_locked();
  memcpy(buf + used, &e, sizeof e);
  used += sizeof e;
  if (exiting) flush_locked();
  errno = saved;
}

static void record(uint8_t kind, const void *result, const void *old, uint64_t a, uint64_t b) {
  lock();
  append_locked(kind, result, old, a, b);
  unlock();
}

/* The image is ending: the end mark (once) and everything buffered written; later events are written one by one. */
static void end_locked(void) {
  if (!exiting) append_locked(EV_END, NULL, NULL, 0, 0);
  flush_locked();
  exiting = 1;
}

/* Opens this process image's stream, DIR/PID-SEQ.hirec with the first SEQ not taken (an exec keeps the pid), and writes its header. */
static int open_stream(void) {
  owner_pid = (uint32_t)getpid();
  for (uint32_t seq = 0; seq < 100000; seq++) {
    snprintf(stream_path, sizeof stream_path, "%s/%u-%u.hirec", dir, owner_pid, seq);
    int f = open(stream_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (f < 0 && errno == EEXIST) continue;
    if (f < 0) return -1;
    f = attach(f);
    static char exe[1024], cmdline[4096];
    ssize_t exe_n = readlink("/proc/self/exe", exe, sizeof exe);
    int cf = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC); /* a page at most: one read */
    ssize_t cmd_n = cf >= 0 ? read(cf, cmdline, sizeof cmdline) : 0;
    if (cf >= 0) close(cf);
    struct header h = { .version = VERSION, .event_bytes = sizeof(struct event), .endian = 0x01020304, .pid = owner_pid, .ppid = (uint32_t)getppid(), .seq = seq, .exe_bytes = exe_n > 0 ? (uint32_t)exe_n : 0, .cmdline_bytes = cmd_n > 0 ? (uint32_t)cmd_n : 0 };
    memcpy(h.magic, MAGIC, 8);
    strncpy(h.libc, gnu_get_libc_version(), sizeof h.libc - 1);
    size_t strings = h.exe_bytes + h.cmdline_bytes;
    h.header_bytes = (uint32_t)((sizeof h + strings + 7) & ~(size_t)7);
    start_ns = now(CLOCK_MONOTONIC);
    h.start_ns = start_ns;
    h.start_unix_ns = now(CLOCK_REALTIME);
    fd = f;
    used = 0;
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, exe, h.exe_bytes);
    memcpy(buf + sizeof h + h.exe_bytes, cmdline, h.cmdline_bytes);
    memset(buf + sizeof h + strings, 0, h.header_bytes - sizeof h - strings);
    used = h.header_bytes;
    flush_locked();
    return 0;
  }
  return -1;
}

/* Writes what is buffered from a signal handler: the lock is taken if it can be; a thread that died holding it left whole events behind it. */
static void flush_for_signal(void) {
  if (state != ACTIVE || owner_pid != (uint32_t)getpid()) return;
  uint32_t me = tid();
  int mine = __atomic_load_n(&lock_owner, __ATOMIC_ACQUIRE) == me;
  int tries = 0;
  if (!mine)
    while (!try_lock(me) && ++tries < 10000) sched_yield();
  end_locked();
  if (!mine && tries < 10000) __atomic_store_n(&lock_owner, 0, __ATOMIC_RELEASE);
}

static const int FATAL[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGSYS, SIGTRAP, SIGQUIT, SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGALRM, SIGXCPU, SIGXFSZ, SIGUSR1, SIGUSR2, SIGVTALRM, SIGPROF };

/* Flushes, then dies of the signal as it would have without the recorder: the default action, raised again. */
void hi_on_fatal(int sig) {
  int saved = errno;
  flush_for_signal();
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  sigaction(sig, &dfl, NULL);
  raise(sig); /* pending until the handler returns; a fault repeats on return anyway */
  errno = saved;
}

static void install_handlers(void) {
  for (size_t i = 0; i < sizeof FATAL / sizeof FATAL[0]; i++) {
    struct sigaction old;
    /* A signal the program inherited ignored, or handles already, stays so. */
    if (sigaction(FATAL[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)) continue;
    struct sigaction sa = { .sa_handler = hi_on_fatal, .sa_flags = SA_RESTART }; /* an empty mask */
    sigaction(FATAL[i], &sa, NULL);
  }
}

static void before_fork(void) {
  if (state != ACTIVE) return;
  lock();
  flush_locked(); /* the child must not write the parent's events again */
}

static void after_fork_parent(void) { if (state == ACTIVE) unlock(); }

static void after_fork_child(void) {
  my_tid = 0;
  if (state != ACTIVE) return;
  lock_owner = 0;
  busy--;
  if (fd >= 0) close(fd);
  fd = -1;
  used = 0;
  if (!follow || open_stream() != 0) state = INACTIVE;
}

__attribute__((constructor)) static void start(void) {
  resolve();
  if (state != UNINIT) return;
  state = INACTIVE;
  const char *d = getenv("HEAP_INSPECTOR_RECORD_DIR");
  const char *parent = getenv("HEAP_INSPECTOR_RECORD_PARENT");
  const char *f = getenv("HEAP_INSPECTOR_RECORD_FOLLOW");
  follow = f != NULL && f[0] == '1';
  if (d == NULL || d[0] == '\0' || strlen(d) >= sizeof dir) return;
  strcpy(dir, d);
  /* Without --follow-children only the command itself is recorded (its own execs included): its parent is the recorder's. */
  if (!follow && (parent == NULL || (pid_t)strtol(parent, NULL, 10) != getppid())) return;
  if (open_stream() != 0) return;
  pthread_atfork(before_fork, after_fork_parent, after_fork_child);
  install_handlers();
  state = ACTIVE;
}

__attribute__((destructor)) void hi_stop(void) {
  if (state != ACTIVE || owner_pid != (uint32_t)getpid()) return;
  lock();
  end_locked();
  unlock();
}

/* --- the allocation functions ---------------------------------------------------------------- */

#define ENTER(real, boot_result) \
  if (!real) { \
    if (resolving) return boot_result; \
    resolve(); \
  }
#define RECORDING (state == ACTIVE && !busy)

/* An allocation: the call, then its result logged with two numbers (the size and the alignment, or calloc's count and size). */
#define ALLOCATION(kind, real, call, boot_result, a, b) \
  ENTER(real, boot_result); \
  if (!RECORDING) return call; \
  busy++; \
  void *p = call; \
  record(kind, p, NULL, a, b); \
  busy--; \
  return p;

#define OVERFLOWS(n, size) ((size) != 0 && (n) > SIZE_MAX / (size))

void *malloc(size_t size) { ALLOCATION(EV_MALLOC, real_malloc, real_malloc(size), boot_alloc(size, 16), size, 0) }
/* The bootstrap buffer is zero and never reused. */
void *calloc(size_t n, size_t size) { ALLOCATION(EV_CALLOC, real_calloc, real_calloc(n, size), OVERFLOWS(n, size) ? NULL : boot_alloc(n * size, 16), n, size) }
void *aligned_alloc(size_t align, size_t size) { ALLOCATION(EV_ALIGNED_ALLOC, real_aligned_alloc, real_aligned_alloc(align, size), boot_alloc(size, align), size, align) }
void *memalign(size_t align, size_t size) { ALLOCATION(EV_MEMALIGN, real_memalign, real_memalign(align, size), boot_alloc(size, align), size, align) }
void *valloc(size_t size) { ALLOCATION(EV_VALLOC, real_valloc, real_valloc(size), boot_alloc(size, 4096), size, (size_t)getpagesize()) }
void *pvalloc(size_t size) { ALLOCATION(EV_PVALLOC, real_pvalloc, real_pvalloc(size), boot_alloc(size, 4096), size, (size_t)getpagesize()) }

void free(void *p) {
  if (is_boot(p)) return;
  if (!real_free) {
    if (resolving) return;
    resolve();
  }
  int recording = RECORDING;
  busy++;
  if (recording) record(EV_FREE, NULL, p, 0, 0);
  real_free(p);
  busy--;
}

/* A bootstrap block moved into a real one (never logged: dlsym's, not the program's). */
static void *boot_move(void *p, size_t size) {
  void *q = real_malloc(size);
  size_t had = ((size_t *)p)[-1];
  if (q) memcpy(q, p, had < size ? had : size);
  return q;
}

void *realloc(void *p, size_t size) {
  ENTER(real_realloc, NULL);
  if (is_boot(p)) return boot_move(p, size);
  if (!RECORDING) return real_realloc(p, size);
  lock();
  void *q = real_realloc(p, size);
  append_locked(EV_REALLOC, q, p, size, 0);
  unlock();
  return q;
}

void *reallocarray(void *p, size_t n, size_t size) {
  ENTER(real_reallocarray, NULL);
  if (is_boot(p)) return OVERFLOWS(n, size) ? NULL : boot_move(p, n * size);
  if (!RECORDING) return real_reallocarray(p, n, size);
  lock();
  void *q = real_reallocarray(p, n, size);
  append_locked(EV_REALLOCARRAY, q, p, n, size);
  unlock();
  return q;
}

int posix_memalign(void **out, size_t align, size_t size) {
  if (!real_posix_memalign) {
    if (resolving) return (*out = boot_alloc(size, align)) ? 0 : ENOMEM;
    resolve();
  }
  if (!RECORDING) return real_posix_memalign(out, align, size);
  busy++;
  int rc = real_posix_memalign(out, align, size);
  record(EV_POSIX_MEMALIGN, rc == 0 ? *out : NULL, NULL, size, align);
  busy--;
  return rc;
}

/* An exec replaces the image without running destructors: the stream is written first, and a failed exec says so. */
int hi_exec_started(void) {
  if (state != ACTIVE || owner_pid != (uint32_t)getpid()) return 0; /* a vfork child shares our memory but is not us */
  lock();
  append_locked(EV_EXEC, NULL, NULL, 0, 0);
  flush_locked();
  unlock();
  return 1;
}

int hi_exec_failed(int started, int rc) {
  int saved = errno;
  if (started) record(EV_EXEC_FAILED, NULL, NULL, 0, 0);
  errno = saved;
  return rc;
}

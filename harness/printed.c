/*
 * printed.c: how far the allocator's own output (stdout and stderr, one log file sharing one
 * offset) has got, asked after every op (printed.h; docs/own-allocator.md, "What the driver
 * records"). Asking the file for its offset is a system call an op, which on the shortest traces
 * costs as much as the allocator itself; so with glibc the driver counts the bytes instead:
 *
 *   - stdout and stderr become streams whose writes the driver makes and counts (fopencookie),
 *     stdout line-buffered (a line printed just before a crash is in the log too), stderr
 *     unbuffered, as C has it; they keep file descriptors 1 and 2 (fileno says so);
 *   - a write(2) to descriptor 1 or 2 from the allocator's code is counted by the driver's own
 *     write, which the allocator's calls reach before libc's.
 *
 * Anything else that reaches the log (a writev, a syscall made by hand) is found by asking the
 * file every CHECK_EVERY ops: when the count and the offset differ, the driver asks the file after
 * every op from then on. Elsewhere than glibc it always asks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "printed.h"

#define CHECK_EVERY 512

static uint64_t start;   /* the log's offset when counting began */
static uint64_t counted; /* bytes written to descriptors 1 and 2 since */
static bool counting;    /* the count is trusted */
static unsigned since_check;

static uint64_t file_offset(void) {
    off_t at = lseek(STDOUT_FILENO, 0, SEEK_CUR);
    return at < 0 ? 0 : (uint64_t)at;
}

static ssize_t write_counted(int fd, const void *buf, size_t n) {
    long w = syscall(SYS_write, fd, buf, n);
    if (w > 0 && (fd == STDOUT_FILENO || fd == STDERR_FILENO)) counted += (uint64_t)w;
    return (ssize_t)w;
}

/* The allocator's write(2): counted when it goes to the log. */
ssize_t write(int fd, const void *buf, size_t n) {
    return write_counted(fd, buf, n);
}

#ifdef __GLIBC__
static ssize_t stream_write(void *cookie, const char *buf, size_t n) {
    int fd = (int)(intptr_t)cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write_counted(fd, buf + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        done += (size_t)w;
    }
    return (ssize_t)done;
}

/* A stream on fd, buffered as `mode` says. */
static FILE *counted_stream(int fd, int mode) {
    cookie_io_functions_t io = {.write = stream_write};
    FILE *f = fopencookie((void *)(intptr_t)fd, "w", io);
    if (f == NULL) return NULL;
    setvbuf(f, NULL, mode, mode == _IONBF ? 0 : BUFSIZ);
    f->_fileno = fd;
    return f;
}
#endif

void hi_printed_start(void) {
    fflush(stdout);
    off_t at = lseek(STDOUT_FILENO, 0, SEEK_CUR);
#ifdef __GLIBC__
    if (at < 0) return; /* not a file: there is no offset to keep */
    FILE *out = counted_stream(STDOUT_FILENO, _IOLBF), *err = counted_stream(STDERR_FILENO, _IONBF);
    if (out == NULL || err == NULL) return;
    stdout = out;
    stderr = err;
    start = (uint64_t)at;
    counted = 0;
    counting = true;
#else
    (void)at;
#endif
}

uint64_t hi_printed_position(void) {
    fflush(stdout);
    if (!counting) return file_offset();
    if (++since_check < CHECK_EVERY) return start + counted;
    since_check = 0;
    uint64_t at = file_offset();
    counting = at == start + counted;
    return at;
}

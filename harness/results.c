/* results.c: the result stream's buffer (results.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "results.h"

#define OUT_FD 3

char hi_out_buf[HI_OUT_BUF];
size_t hi_out_len;

void hi_out_flush(void) {
#ifdef F_SETPIPE_SZ
    /* A pipe as large as the buffer: the driver seldom waits for the reader. */
    static bool grown;
    if (!grown) {
        grown = true;
        fcntl(OUT_FD, F_SETPIPE_SZ, (int)sizeof hi_out_buf);
    }
#endif
    size_t done = 0;
    while (done < hi_out_len) {
        ssize_t n = write(OUT_FD, hi_out_buf + done, hi_out_len - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            _exit(74);
        }
        done += (size_t)n;
    }
    hi_out_len = 0;
}

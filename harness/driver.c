/*
 * driver.c: Heap Inspector's malloc lab driver (docs/own-allocator.md). It runs a trace's ops,
 * given as a binary file (argv[1]), through the student's allocator and writes what happened to
 * file descriptor 3, op by op:
 *
 *   - the words of the heap the allocator changed during the op (tracking.c: only the pages
 *     written since the last look are compared with a shadow copy, word by word);
 *   - the pointer the op returned or freed, the heap's size and how far the allocator's own
 *     output (stdout and stderr, a log file) had got (printed.c);
 *   - the malloc lab driver's data checks: every payload filled with its id's low byte when
 *     handed out, and checked when it is freed or moved (realloc keeps the first min(old, new)
 *     bytes; calloc's payload is zero);
 *   - a signal (segmentation fault, bus error, abort, ...) or an op that does not return within
 *     the limit, with the op it happened in, after everything before it.
 * Alignment, bounds and overlaps are checked by the caller from the pointers and sizes. In speed
 * mode it only times the ops (the throughput of the lab's score), without any of the above.
 *
 * The student's code is compiled with this file, which declares the allocator's functions itself
 * (mm.h's macros would rename the driver's own malloc).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checks.h"
#include "editions.h"
#include "memlib.h"
#include "printed.h"
#include "results.h"
#include "tracking.h"

void *mm_malloc(size_t size);
void mm_free(void *ptr);
void *mm_realloc(void *ptr, size_t size);

extern size_t hi_max_heap;
extern int hi_sbrk_refused;

/* ---- the op file ------------------------------------------------------------------------ */

enum { OP_MALLOC = 0, OP_FREE = 1, OP_REALLOC = 2, OP_CALLOC = 3, OP_SKIP = 4 };
enum { FLAG_RECORD = 1, FLAG_CHECKS = 2, FLAG_CHECKHEAP = 4, FLAG_SPEED = 8 };
#define NO_SLOT 0xffffffffu
struct op {
    uint8_t kind;
    uint8_t byte; /* the fill byte of the payload it hands out (the malloc lab driver's pattern) */
    uint8_t pad[2];
    uint32_t slot; /* where the result goes, or what free frees */
    uint32_t from; /* what realloc resizes (NO_SLOT: NULL) */
    uint32_t line; /* the trace's line, passed to mm_checkheap */
    uint64_t a;    /* size, or calloc's count */
    uint64_t b;    /* calloc's element size */
};

struct header {
    char magic[4];
    uint32_t version;
    uint32_t nops;
    uint32_t nslots;
    uint32_t flags;
    uint32_t op_limit_ms;
    uint64_t max_heap;
};

/* ---- state ------------------------------------------------------------------------------ */
static char *heap;      /* mem_heap_lo() */
static size_t heap_max; /* the region's size */

/* The op running (-1: mm_init), whether the allocator is inside it, and how many times it has been entered (the watchdog times an op by it, without a clock read an op). */
static volatile int64_t current_op = -1;
/* Whether the call running is the heap checker (--checkheap), after the op itself returned. */
static volatile int in_checker;
static int in_op;
static uint64_t op_entered;
static uint64_t op_limit_ns;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- a crash, a timeout: said after everything before it, then the process ends ----------- */

static void stop_with(int sig, uintptr_t addr) {
    hi_out_room(1 + 8 + 4 + 1 + 8);
    hi_put8('X');
    hi_put64((uint64_t)current_op);
    hi_put32((uint32_t)sig);
    bool inside = heap != NULL && addr >= (uintptr_t)heap && addr < (uintptr_t)heap + heap_max;
    hi_put8((uint8_t)((inside ? 1 : 0) | (in_checker ? 2 : 0)));
    hi_put64(inside ? (uint64_t)(addr - (uintptr_t)heap) : (uint64_t)addr);
    hi_out_flush();
    _exit(70);
}

static void on_signal(int sig, siginfo_t *si, void *ctx) {
    (void)ctx;
    if (sig == SIGSEGV && hi_track_fault((const char *)si->si_addr)) return;
    stop_with(sig, (uintptr_t)si->si_addr);
}

static void *watchdog(void *arg) {
    (void)arg;
    uint64_t seen = UINT64_MAX, seen_at = 0; /* the entry last seen running, and when it was first seen */
    for (;;) {
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
        uint64_t entry = __atomic_load_n(&op_entered, __ATOMIC_ACQUIRE);
        if (!__atomic_load_n(&in_op, __ATOMIC_ACQUIRE)) continue;
        uint64_t now = now_ns();
        if (entry != seen) {
            seen = entry;
            seen_at = now;
            continue;
        }
        /* Still the same entry, running since before it was first seen: stopped past the limit (at most a pause late). */
        if (now - seen_at > op_limit_ns && __atomic_load_n(&in_op, __ATOMIC_ACQUIRE) && __atomic_load_n(&op_entered, __ATOMIC_ACQUIRE) == entry) stop_with(0, 0);
    }
    return NULL;
}

static void install_handlers(void) {
    static char alt[1 << 16];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) sigaction(sigs[k], &sa, NULL);
}

/* An allocator that calls exit() in the middle of an op ends the run there. */
static void on_exit_call(void) {
    if (__atomic_load_n(&in_op, __ATOMIC_ACQUIRE)) stop_with(-1, 0);
}

/* ---- the data checks -------------------------------------------------------------------- */

static bool inside_heap(const char *p, size_t n) {
    return p >= heap && n <= mem_heapsize() && (size_t)(p - heap) <= mem_heapsize() - n;
}

/* The look after which each slot's payload was filled, when recording (checks.h). */
static uint32_t *filled_at;
static bool recording;
static uint32_t since_fill(uint32_t slot, bool record) {
    return record ? filled_at[slot] : HI_NOT_RECORDED;
}

enum { CHECK_OVERWRITTEN = 1, CHECK_REALLOC_LOST = 2, CHECK_CALLOC_DIRTY = 3, CHECK_HEAPCHECK = 4 };

static void violation(uint64_t op, uint8_t code, uint32_t slot, uint64_t at) {
    hi_out_room(1 + 8 + 1 + 4 + 8);
    hi_put8('V');
    hi_put64(op);
    hi_put8(code);
    hi_put32(slot);
    hi_put64(at);
}

/* ---- the run ---------------------------------------------------------------------------- */

static struct header hdr;
static struct op *ops;
static char **ptrs;
static uint64_t *sizes;
static unsigned char *bytes; /* the byte each slot's payload was filled with */

static void *read_ops(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror("heap-inspector harness: the op file");
        _exit(73);
    }
    struct stat st;
    fstat(fd, &st);
    if ((size_t)st.st_size < sizeof hdr) _exit(73);
    /* Mapped, not read: the file's pages are the page cache's, where a read would copy them into pages cleared first (some 0.4 ms of CPU on a trace of 14,400 ops; docs/performance.md). */
    char *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
        data = malloc((size_t)st.st_size);
        size_t got = 0;
        while (data != NULL && got < (size_t)st.st_size) {
            ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
            if (n <= 0) _exit(73);
            got += (size_t)n;
        }
        if (data == NULL) _exit(73);
    }
    close(fd);
    memcpy(&hdr, data, sizeof hdr);
    if (memcmp(hdr.magic, "HIOP", 4) != 0 || hdr.version != 1 || (size_t)st.st_size != sizeof hdr + (size_t)hdr.nops * sizeof(struct op)) _exit(73);
    return data + sizeof hdr;
}

static inline void begin_op(int64_t i) {
    current_op = i;
    __atomic_store_n(&op_entered, op_entered + 1, __ATOMIC_RELEASE);
    __atomic_store_n(&in_op, 1, __ATOMIC_RELEASE);
}

static inline void end_op(void) {
    __atomic_store_n(&in_op, 0, __ATOMIC_RELEASE);
}

/* The bytes at the start of the payload op i handed out that hold its fill byte already (a realloc's, checked). */
static size_t filled;

/* Runs op i through the allocator; returns the pointer it returned or freed (NULL for none). */
static char *run_op(uint32_t i, bool checks) {
    struct op *o = &ops[i];
    filled = 0;
    char *result = NULL;
    uint32_t slot = o->slot;
    switch (o->kind) {
    case OP_MALLOC:
        begin_op(i);
        result = mm_malloc((size_t)o->a);
        end_op();
        ptrs[slot] = result;
        sizes[slot] = o->a;
        break;
    case OP_CALLOC:
        begin_op(i);
        if (mm_calloc) {
            result = mm_calloc((size_t)o->a, (size_t)o->b);
        } else {
            uint64_t n = o->a * o->b;
            result = (o->b != 0 && n / o->b != o->a) ? NULL : mm_malloc((size_t)n);
            if (result != NULL && inside_heap(result, (size_t)n)) memset(result, 0, (size_t)n);
        }
        end_op();
        ptrs[slot] = result;
        sizes[slot] = o->a * o->b;
        if (checks && result != NULL && inside_heap(result, (size_t)sizes[slot])) {
            int64_t at = hi_first_unlike((unsigned char *)result, (size_t)sizes[slot], 0);
            if (at >= 0) violation(i, CHECK_CALLOC_DIRTY, slot, (uint64_t)at);
        }
        break;
    case OP_FREE: {
        if (slot == NO_SLOT) {
            begin_op(i);
            mm_free(NULL);
            end_op();
            break;
        }
        char *p = ptrs[slot];
        if (checks && p != NULL && inside_heap(p, (size_t)sizes[slot])) {
            int64_t at = hi_payload_unlike((unsigned char *)p, (size_t)sizes[slot], bytes[slot], since_fill(slot, recording));
            if (at >= 0) violation(i, CHECK_OVERWRITTEN, slot, (uint64_t)at);
        }
        begin_op(i);
        mm_free(p);
        end_op();
        result = p;
        ptrs[slot] = NULL;
        break;
    }
    case OP_REALLOC: {
        char *old = o->from == NO_SLOT ? NULL : ptrs[o->from];
        uint64_t old_size = o->from == NO_SLOT ? 0 : sizes[o->from];
        unsigned char old_byte = o->from == NO_SLOT ? 0 : bytes[o->from];
        bool old_ok = checks && old != NULL && inside_heap(old, (size_t)old_size);
        if (old_ok) {
            int64_t at = hi_payload_unlike((unsigned char *)old, (size_t)old_size, old_byte, since_fill(o->from, recording));
            if (at >= 0) {
                violation(i, CHECK_OVERWRITTEN, o->from, (uint64_t)at);
                old_ok = false;
            }
        }
        begin_op(i);
        result = mm_realloc(old, (size_t)o->a);
        end_op();
        if (o->from != NO_SLOT && (result != NULL || o->a == 0)) ptrs[o->from] = NULL;
        ptrs[slot] = result;
        sizes[slot] = o->a;
        if (old_ok && result != NULL && inside_heap(result, (size_t)o->a)) {
            uint64_t keep = old_size < o->a ? old_size : o->a;
            int64_t at = hi_first_unlike((unsigned char *)result, (size_t)keep, old_byte);
            if (at >= 0) violation(i, CHECK_REALLOC_LOST, slot, (uint64_t)at);
            if (at < 0 && old_byte == o->byte) filled = (size_t)keep;
        }
        break;
    }
    default:
        break;
    }
    return result;
}

/* Fills a payload just handed out with its op's byte (the caller does the same to its copy). */
static void fill(uint32_t slot, unsigned char byte, bool record) {
    char *p = ptrs[slot];
    bytes[slot] = byte;
    if (p == NULL || !inside_heap(p, (size_t)sizes[slot])) return;
    if (record) {
        hi_track_fill((size_t)(p - heap), (size_t)sizes[slot], byte, filled);
        filled_at[slot] = hi_track_looks();
    }
    else
        memset(p + filled, byte, (size_t)sizes[slot] - filled);
}

static void reset_slots(void) {
    for (uint32_t k = 0; k < hdr.nslots; k++) {
        ptrs[k] = NULL;
        sizes[k] = 0;
    }
}

/* Speed mode: the whole trace, again and again, timed; the fastest run's time (ns). */
static void run_speed(void) {
    uint64_t best = UINT64_MAX;
    uint64_t total = 0;
    for (int rep = 0; rep < 50 && (rep < 3 || total < 200000000u); rep++) {
        mem_reset_brk();
        reset_slots();
        /* mm_init again before each timed run, as the lab's driver calls it: a failure or a crash here is said as mm_init's. */
        begin_op(-1);
        bool failed = INIT_FAILED(mm_init());
        end_op();
        if (failed) {
            hi_out_room(1 + 1 + 8 + 8);
            hi_put8('I');
            hi_put8(0);
            hi_put64((uint64_t)mem_heapsize());
            hi_put64(0);
            hi_out_flush();
            _exit(75);
        }
        uint64_t start = now_ns();
        for (uint32_t i = 0; i < hdr.nops; i++) run_op(i, false);
        uint64_t took = now_ns() - start;
        total += took;
        if (took < best) best = took;
    }
    hi_out_room(1 + 8 + 4);
    hi_put8('T');
    hi_put64(best);
    hi_put32(hdr.nops);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OPS-FILE (results on fd 3)\n", argv[0]);
        return 64;
    }
    ops = read_ops(argv[1]);
    ptrs = calloc(hdr.nslots + 1, sizeof *ptrs);
    sizes = calloc(hdr.nslots + 1, sizeof *sizes);
    bytes = calloc(hdr.nslots + 1, 1);
    filled_at = calloc(hdr.nslots + 1, sizeof *filled_at);
    hi_max_heap = (size_t)hdr.max_heap;
    op_limit_ns = (uint64_t)hdr.op_limit_ms * 1000000u;
    install_handlers();
    atexit(on_exit_call);
    pthread_t dog;
    if (op_limit_ns > 0) pthread_create(&dog, NULL, watchdog, NULL);

    mem_init();
    if (!(hdr.flags & FLAG_SPEED)) hi_printed_start();
    heap = mem_heap_lo();
    heap_max = hi_max_heap;
    hi_put8('S');
    hi_put64((uint64_t)getpagesize());
    hi_put64((uint64_t)heap_max);
    hi_put64((uint64_t)(uintptr_t)heap); /* where the heap is: pointers the allocator keeps in it are read against it */

    if (hdr.flags & FLAG_SPEED) {
        run_speed();
        hi_out_flush();
        return 0;
    }

    bool record = (hdr.flags & FLAG_RECORD) != 0;
    recording = record;
    bool checks = (hdr.flags & FLAG_CHECKS) != 0;
    if (record && !hi_track_start(heap, heap_max)) _exit(71);

    begin_op(-1);
    int ok = !INIT_FAILED(mm_init());
    end_op();
    if (record) hi_track_take(0, 0);
    hi_out_room(1 + 1 + 8 + 8);
    hi_put8('I');
    hi_put8(ok ? 1 : 0);
    hi_put64((uint64_t)mem_heapsize());
    hi_put64(hi_printed_position());
    if (!ok) {
        hi_out_flush();
        return 0;
    }

    for (uint32_t i = 0; i < hdr.nops; i++) {
        char *p = run_op(i, checks);
        struct op *o = &ops[i];
        bool hands_out = (o->kind == OP_MALLOC || o->kind == OP_CALLOC || o->kind == OP_REALLOC) && p != NULL;
        /* A payload the driver fills next: what the allocator wrote into it is overwritten anyway (the caller fills it too). */
        bool fills = checks && hands_out && inside_heap(p, (size_t)sizes[o->slot]);
        size_t skip_lo = fills ? (size_t)(p - heap) : 0;
        size_t skip_hi = fills ? skip_lo + (size_t)sizes[o->slot] : 0;
        if (record) hi_track_take(skip_lo, skip_hi);
        /* The fill is the driver's, not the allocator's: the caller makes it itself. */
        if (checks && hands_out) fill(o->slot, o->byte, record);
        if ((hdr.flags & FLAG_CHECKHEAP) && HEAP_CHECKER) {
            in_checker = 1;
            begin_op(i);
            bool heap_ok = HEAP_CHECK_OK((int)o->line);
            end_op();
            in_checker = 0;
            if (!heap_ok) violation(i, CHECK_HEAPCHECK, o->slot, 0);
            if (record) hi_track_take(0, 0);
        }
        /* mem_sbrk refused to grow the heap during the op: a NULL it returned is the heap's limit. */
        if (hi_sbrk_refused) {
            hi_sbrk_refused = 0;
            hi_out_room(1 + 4);
            hi_put8('F');
            hi_put32(i);
        }
        hi_out_room(1 + 4 + 8 + 8 + 8);
        hi_put8('O');
        hi_put32(i);
        hi_put64(p == NULL ? UINT64_MAX : (uint64_t)(p - heap));
        hi_put64((uint64_t)mem_heapsize());
        hi_put64(hi_printed_position());
    }
    hi_out_room(1 + 4);
    hi_put8('E');
    hi_put32(hdr.nops);
    hi_out_flush();
    return 0;
}

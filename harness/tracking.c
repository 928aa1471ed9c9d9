/*
 * tracking.c: the heap words the allocator changed during an op (tracking.h; docs/own-allocator.md,
 * "What the driver records"). A shadow copy holds the heap as the caller knows it; after each op
 * (a look) the pages written since the last look are compared with it, 8-byte word by word, and
 * the words that differ are recorded and copied into it. Which pages were written is found one of
 * two ways (track_ways.h):
 *
 *   - by faults (track_faults.c): the heap is read-only, and a page's first write is a SIGSEGV
 *     whose handler opens the page;
 *   - by the kernel (track_kernel.c; Linux 6.7 on): userfaultfd's asynchronous write protection
 *     notes a page's first write without a signal, and one PAGEMAP_SCAN call lists the pages
 *     written.
 *
 * A third way needs no page watched (track_stores.c, linked into the recording executable; the
 * plain one links no_stores.c, where it cannot start): when the allocator's file was compiled to
 * call the harness before each store, the lines it stores into are marked and only those are
 * compared; it is the default then, and =stores names it.
 *
 * Either way by pages a page written stays open for a while and is compared at every look: comparing 4 KiB
 * costs some 100 ns, far less than the fault it saves, and an allocator writes the same few pages
 * op after op (its lists' heads, the blocks at the heap's end).
 *
 * Which way costs less depends on the allocator and the trace: a write-protect fault handled in
 * the kernel costs a microsecond or two where a signal costs several, but the kernel's way asks
 * for the fault count at every look and scans the heap after every look with a fault, and a copy
 * running forward through many pages faults at every page, where faults open ever longer runs at
 * once. So when the kernel offers its way the driver starts with it, and every WINDOW looks
 * estimates from what it saw what the window cost and what it would have cost the other way, and
 * takes the other way when it is clearly cheaper (only between ops; the words recorded are the
 * same either way). HEAP_INSPECTOR_TRACKING=faults or =kernel in the environment keeps to one
 * (=scan and =user: by the kernel, as where perf events are refused or limited, track_kernel.c;
 * the tests run them all).
 *
 * A write the allocator makes anywhere in the heap's region is recorded, a stray one too; a fault
 * on a page already open, or outside the region, is the allocator's own, and the driver reports it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "results.h"
#include "track_ways.h"
#include "tracking.h"

char *hi_heap;
size_t hi_heap_max;
size_t hi_page;
size_t hi_npages;
static unsigned char *shadow;

size_t hi_page_length(size_t r) {
    size_t start = r * hi_page;
    return hi_heap_max - start < hi_page ? hi_heap_max - start : hi_page;
}

/* Records the words of [from, from + len) (from a multiple of 8) that differ from the shadow, as their new values, and copies them there; whether any differed. */
bool hi_take_range(size_t from, size_t len) {
    const unsigned char *live = (const unsigned char *)hi_heap + from;
    unsigned char *old = shadow + from;
    bool any = false;
    for (size_t w = 0; w < len; w += 8) {
        uint64_t now, was;
        memcpy(&now, live + w, 8);
        memcpy(&was, old + w, 8);
        if (now == was) continue;
        any = true;
        memcpy(old + w, &now, 8);
        hi_out_room(1 + 4 + 8);
        hi_put8('W');
        hi_put32((uint32_t)(from + w));
        hi_put64(now);
    }
    return any;
}

/*
 * Comparing the pages open with the shadow is most of a look's time (every page open is compared
 * at every look: docs/performance.md, "Your own allocator"). Few words differ, mostly: a block of
 * BLOCK bytes is compared at once, and its words one by one only where it differs.
 */
#define BLOCK 256

/* By the C library's memcmp, the whole range first (most pages open are unchanged), then block by block. */
static bool take_words_memcmp(size_t from, size_t to) {
    const unsigned char *live = (const unsigned char *)hi_heap + from;
    const unsigned char *old = shadow + from;
    size_t len = to - from;
    if (memcmp(live, old, len) == 0) return false;
    for (size_t c = 0; c < len; c += BLOCK) {
        size_t n = len - c < BLOCK ? len - c : BLOCK;
        if (memcmp(live + c, old + c, n) != 0) hi_take_range(from + c, n);
    }
    return true;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/*
 * With AVX2, in one pass of 32-byte vectors: the difference of a block is known as it is read, and
 * a changed page is not read twice (realloc2-bal's recording took 5-6% less CPU, coalescing-bal's
 * 12-14%: docs/performance.md).
 */
typedef uint64_t hi_v4 __attribute__((vector_size(32), aligned(8), may_alias));

__attribute__((target("avx2"))) static bool take_words_avx2(size_t from, size_t to) {
    const unsigned char *live = (const unsigned char *)hi_heap + from;
    const unsigned char *old = shadow + from;
    size_t len = to - from, c = 0;
    bool any = false;
    for (; c + BLOCK <= len; c += BLOCK) {
        const hi_v4 *a = (const hi_v4 *)(live + c), *b = (const hi_v4 *)(old + c);
        hi_v4 d = (a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]) | (a[5] ^ b[5]) | (a[6] ^ b[6]) | (a[7] ^ b[7]);
        if ((d[0] | d[1] | d[2] | d[3]) != 0) any |= hi_take_range(from + c, BLOCK);
    }
    if (c < len) any |= hi_take_range(from + c, len - c);
    return any;
}

static bool (*take_words)(size_t from, size_t to) = take_words_memcmp;

static void choose_compare(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) take_words = take_words_avx2;
}
#else
#define take_words take_words_memcmp
static void choose_compare(void) {}
#endif

bool hi_take_words(size_t from, size_t to) {
    return take_words(from, to);
}

bool hi_page_inside(size_t r, size_t lo, size_t hi) {
    size_t start = r * hi_page;
    return start >= lo && start + hi_page_length(r) <= hi;
}

/* Per page: the last look that recorded a word of it, or the fill of a payload over it (a payload's pages the driver checks: hi_track_changed). */
static uint32_t *changed_at;
static uint32_t looks_taken;

void hi_note_changed(size_t r) {
    changed_at[r] = looks_taken;
}

bool hi_take_page(size_t r, size_t skip_lo, size_t skip_hi) {
    hi_seen.compared++;
    size_t start = r * hi_page, end = start + hi_page_length(r);
    size_t lo = (skip_lo + 7) / 8 * 8, hi = skip_hi / 8 * 8;
    bool changed;
    if (lo >= hi || hi <= start || lo >= end) {
        changed = take_words(start, end);
    } else {
        bool before = lo > start && take_words(start, lo);
        bool after = hi < end && take_words(hi, end);
        changed = before || after;
    }
    if (changed) changed_at[r] = looks_taken;
    return changed;
}

static int by_page(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void hi_sort_pages(uint32_t *pages, size_t n, size_t sorted) {
    if (n - sorted > 32) {
        qsort(pages, n, sizeof *pages, by_page);
        return;
    }
    for (size_t i = sorted; i < n; i++) {
        uint32_t r = pages[i];
        size_t j = i;
        for (; j > 0 && pages[j - 1] > r; j--) pages[j] = pages[j - 1];
        pages[j] = r;
    }
}

/* ---- which way ------------------------------------------------------------------------------ */

/*
 * What each way costs, in ns, as measured on a 2-core virtual machine (docs/performance.md): a
 * look by the kernel asks for the thread's fault count, or reads the faults sampled (no system
 * call) when all are sampled; a write-protect fault handled in the kernel, with the protection put
 * back later, and the sample of its address when faults are sampled; a scan, besides the ns a page
 * it walks (measured as it goes); a SIGSEGV and the mprotect calls that open and close its pages;
 * a page opened and closed by mprotect; a page compared with the shadow (either way compares about
 * as many). They only choose the way; the words recorded are the same either way.
 */
#define KERNEL_LOOK_NS 330
#define KERNEL_PAGE_NS 1700
#define SAMPLE_NS 400
#define SAMPLED_LOOK_NS 20
#define SCAN_NS 700
#define FAULT_NS 10000
#define FAULT_PAGE_NS 300
#define COMPARE_NS 100
/*
 * Looks between choices. The other way is taken when it would have cost less than three quarters
 * as much; if the second window after that costs the thread more time than the last one the
 * other way did, by a quarter, the driver goes back, and waits four times as long before the next
 * change.
 */
#define WINDOW 256

struct hi_seen hi_seen;
static volatile sig_atomic_t how = HI_OFF;
static bool fixed; /* one way only: the environment said so, or the kernel offers none */
static size_t looks;
static size_t windows;                  /* since the way changed */
static size_t settle = 2;               /* windows before it may change again */
static int left = HI_OFF;               /* the way left on an estimate, until the change is borne out */
static uint64_t window_cpu;             /* the thread's CPU time when the window began */
static uint64_t look_cpu[3];            /* per way: the CPU time a look, in its last window */
static double scan_page_ns = -1;        /* a scan's time a page walked, the least measured in a window (one with a scan preempted measures more) */
static size_t heap_pages;               /* the most pages the heap has used, as far as seen */

uint64_t hi_clock_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void change_way(int to) {
    if (to == how) return;
    if (how == HI_BY_KERNEL) hi_kernel_leave();
    if (how == HI_BY_FAULTS) hi_faults_leave();
    how = HI_OFF;
    if (to == HI_BY_KERNEL && !hi_kernel_enter()) {
        /* The kernel refused (it never should): by faults from now on. */
        hi_kernel_leave();
        fixed = true;
        to = HI_BY_FAULTS;
    }
    if (to == HI_BY_FAULTS) hi_faults_enter();
    how = to;
    windows = 0;
}

/* What the window cost (ns) by the kernel and by faults, estimated from what the way saw. */
static void estimate(uint64_t *by_kernel, uint64_t *by_faults) {
    if (hi_seen.scanned > 0) {
        uint64_t fixed_ns = (uint64_t)hi_seen.scans * SCAN_NS;
        double rate = hi_seen.scan_ns > fixed_ns ? (double)(hi_seen.scan_ns - fixed_ns) / (double)hi_seen.scanned : 0;
        if (scan_page_ns < 0 || rate < scan_page_ns) scan_page_ns = rate;
    }
    if (hi_seen.top > heap_pages) heap_pages = hi_seen.top;
    bool sampled = hi_kernel_sampled();
    /* By faults, what the kernel's way would have scanned: after every look that faulted, or from samples only to protect pages again (some 16 new pages a scan). */
    size_t scans = how == HI_BY_KERNEL ? hi_seen.scans : sampled ? (hi_seen.new_pages + 15) / 16 : hi_seen.looks_faulted;
    double walked = how == HI_BY_KERNEL ? (double)hi_seen.scanned : (double)(scans * heap_pages);
    *by_faults = (uint64_t)hi_seen.faults * FAULT_NS + (uint64_t)hi_seen.new_pages * FAULT_PAGE_NS;
    uint64_t look_ns = sampled && hi_samples_all_faults ? SAMPLED_LOOK_NS : KERNEL_LOOK_NS;
    *by_kernel = (uint64_t)looks * look_ns + (uint64_t)hi_seen.new_pages * (KERNEL_PAGE_NS + (sampled ? SAMPLE_NS : 0)) + (uint64_t)scans * SCAN_NS;
    *by_kernel += (uint64_t)((scan_page_ns < 0 ? 1 : scan_page_ns) * walked);
    *by_kernel += (uint64_t)hi_seen.compared * COMPARE_NS;
    *by_faults += (uint64_t)hi_seen.compared * COMPARE_NS;
}

/* After a look: at the end of a window, the way for the next. */
static void choose(void) {
    if (fixed || ++looks < WINDOW) return;
    uint64_t cpu = thread_cpu_ns();
    uint64_t by_kernel, by_faults;
    estimate(&by_kernel, &by_faults);
    look_cpu[how] = (cpu - window_cpu) / looks;
    int other = how == HI_BY_KERNEL ? HI_BY_FAULTS : HI_BY_KERNEL;
    uint64_t now = how == HI_BY_KERNEL ? by_kernel : by_faults, then = how == HI_BY_KERNEL ? by_faults : by_kernel;
    windows++;
    if (left != HI_OFF && windows == 2) {
        /* The change on an estimate, borne out or not by the time it took (the first window also warmed the way up). */
        bool worse = look_cpu[how] * 4 > look_cpu[left] * 5;
        left = HI_OFF;
        if (worse) {
            change_way(other);
            settle *= 4;
        }
    } else if (left == HI_OFF && windows >= settle && then * 4 < now * 3) {
        left = how;
        change_way(other);
    }
    memset(&hi_seen, 0, sizeof hi_seen);
    looks = 0;
    window_cpu = cpu;
}

/* ---- the interface ---------------------------------------------------------------------- */

/*
 * The shadow copy: zeroed memory, on huge pages past its first 2 MiB where the system allows it, so
 * that its first touches as a large heap grows are a fault every 2 MiB rather than two a page (a
 * read mapping the zero page, then the copy's write: a third of random-bal's faults), while a
 * small heap's shadow is not cleared 2 MiB at a time.
 */
static unsigned char *shadow_alloc(size_t size) {
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
    size_t huge = (size_t)2 << 20;
    size_t span = (size + huge - 1) / huge * huge;
    void *map = mmap(NULL, span + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map != MAP_FAILED) {
        uintptr_t at = ((uintptr_t)map + huge - 1) / huge * huge;
        if (span > huge) madvise((void *)(at + huge), span - huge, MADV_HUGEPAGE);
        return (unsigned char *)at;
    }
#endif
    return calloc(size, 1);
}

bool hi_track_start(char *region, size_t size) {
    hi_heap = region;
    hi_heap_max = size;
    hi_page = (size_t)getpagesize();
    choose_compare();
    hi_npages = (size + hi_page - 1) / hi_page;
    shadow = shadow_alloc(hi_npages * hi_page + 8);
    changed_at = calloc(hi_npages, sizeof *changed_at);
    if (shadow == NULL || changed_at == NULL || !hi_faults_start()) return false;
#ifdef MADV_NOHUGEPAGE
    madvise(hi_heap, hi_npages * hi_page, MADV_NOHUGEPAGE); /* written pages are told by the page, not by 2 MiB */
#endif
    mprotect(hi_heap, hi_npages * hi_page, PROT_READ);
    const char *chosen = getenv("HEAP_INSPECTOR_TRACKING");
    /* A heap that ends inside a page (--max-heap): a write past its end faults by faults only, the last page being closed at every look. */
    bool faults_only = (chosen != NULL && strcmp(chosen, "faults") == 0) || size % hi_page != 0;
    /* The allocator's stores call the hooks (track_stores.c; no_stores.c in the plain executable, where this is false): the way by stores unless the environment names a way by pages. */
    if (!faults_only && (chosen == NULL || strcmp(chosen, "stores") == 0) && hi_stores_start()) {
        mprotect(hi_heap, hi_npages * hi_page, PROT_READ | PROT_WRITE);
        hi_stores_enter(true);
        fixed = true;
        how = HI_BY_STORES;
        return true;
    }
    bool kernel = !faults_only && hi_kernel_start();
    fixed = !kernel || (chosen != NULL && (strcmp(chosen, "kernel") == 0 || strcmp(chosen, "scan") == 0 || strcmp(chosen, "user") == 0));
    change_way(kernel ? HI_BY_KERNEL : HI_BY_FAULTS);
    window_cpu = thread_cpu_ns();
    return true;
}

bool hi_track_fault(const char *a) {
    if (how == HI_OFF || how == HI_BY_STORES || hi_heap == NULL || a < hi_heap || a >= hi_heap + hi_heap_max) return false;
    size_t r = (size_t)(a - hi_heap) / hi_page;
    return how == HI_BY_KERNEL ? hi_kernel_fault(r) : hi_faults_fault(r);
}

void hi_track_take(size_t skip_lo, size_t skip_hi) {
    looks_taken++;
    if (how == HI_BY_STORES) {
        hi_stores_take(skip_lo, skip_hi);
        return;
    }
    if (how == HI_BY_KERNEL && !hi_kernel_take(skip_lo, skip_hi)) {
        fixed = true;
        change_way(HI_BY_FAULTS);
    }
    if (how == HI_BY_FAULTS) hi_faults_take(skip_lo, skip_hi);
    if (how != HI_OFF) choose();
}

/* The driver's own fill is under way: its memset opens pages as the fill's way says, not as a copy's. */
static bool filling;

void hi_track_write(const void *to, size_t n) {
    const char *at = to;
    if (how == HI_BY_STORES && !filling && n > 0 && at >= hi_heap && at < hi_heap + hi_heap_max) {
        size_t offset = (size_t)(at - hi_heap);
        hi_stores_mark(offset, n < hi_heap_max - offset ? n : hi_heap_max - offset);
    }
    if (how == HI_OFF || filling || n < hi_page || at < hi_heap || at >= hi_heap + hi_heap_max) return;
    size_t offset = (size_t)(at - hi_heap);
    if (n > hi_heap_max - offset) n = hi_heap_max - offset;
    if (how == HI_BY_KERNEL) hi_kernel_open(offset, n);
    if (how == HI_BY_FAULTS) hi_faults_open(offset, n);
}

uint32_t hi_track_looks(void) {
    return looks_taken;
}

bool hi_track_changed(size_t r, uint32_t since) {
    return changed_at[r] > since;
}

void hi_track_fill(size_t offset, size_t n, unsigned char byte, size_t filled) {
    memset(shadow + offset, byte, n);
    /* Written by the allocator (unrecorded: the payload handed out) and the fill: changed, for any other payload it overlaps. */
    for (size_t r = offset / hi_page; r < hi_npages && r * hi_page < offset + n; r++) changed_at[r] = looks_taken;
    filling = true;
    if (how == HI_BY_STORES && filled < n) memset(hi_heap + offset + filled, byte, n - filled);
    if (how == HI_BY_KERNEL) {
        if (filled < n) hi_kernel_fill(offset + filled, n - filled, byte);
        hi_kernel_filled(offset, offset + n);
    }
    if (how == HI_BY_FAULTS && filled < n) hi_faults_fill(offset + filled, n - filled, byte, offset, offset + n);
    filling = false;
}

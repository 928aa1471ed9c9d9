/*
 * track_kernel.c: the pages the allocator wrote, told by the kernel (track_ways.h, tracking.c;
 * Linux 6.7 on). The heap's pages are write-protected with userfaultfd's asynchronous write
 * protection: a page's first write only clears its protection (a fault handled in the kernel, no
 * signal). A write to a protected page is a page fault of the thread, and where perf events are
 * allowed every fault is sampled with its address (track_samples.c): a look lists the pages of the
 * faults since the last one, with no system call, and compares those and the pages it listed
 * before. They stay unprotected, compared at every look, until more than MAX_WRITTEN are, when
 * one PAGEMAP_SCAN call over the pages from the first listed to the last protects them all again.
 * A fault listed that only read a page leaves it protected; the scan drops it. When samples were
 * lost, or (faults inside system calls not sampled) the thread took more faults than were sampled,
 * the look scans the whole heap, which lists every page unprotected.
 *
 * Without samples a look that faulted scans the heap (one PAGEMAP_SCAN lists the pages written);
 * while the thread has taken no fault since the last look, the look compares the pages written
 * already and needs no scan (it asks for the count unless most of the last 32 looks found pages
 * newly written). Beyond open_end the region is read-only (mprotect), so the scan need not walk
 * it: a write there is a SIGSEGV that opens more of it. HEAP_INSPECTOR_TRACKING=scan keeps to
 * scans, =user samples only the faults outside system calls and counts the thread's faults at
 * every look, as where perf events are limited to those (the tests run both).
 *
 * Without userfaultfd (another system, an older kernel, a seccomp profile that refuses it, as
 * containers' often do) hi_kernel_start says false and the pages are told by faults.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "track_ways.h"

#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/userfaultfd.h>)
#define HAVE_UFFD 1
#endif
#endif

#ifdef HAVE_UFFD
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

/* Linux 6.7's, for older headers. */
#define HI_UFFD_FEATURE_WP_UNPOPULATED (1u << 13)
#define HI_UFFD_FEATURE_WP_ASYNC (1u << 15)
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
struct hi_page_region {
    uint64_t start, end, categories;
};
struct hi_pm_scan_arg {
    uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages, category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define HI_PAGEMAP_SCAN _IOWR('f', 16, struct hi_pm_scan_arg)
#define HI_PAGE_IS_WRITTEN (1u << 1)
#define HI_PM_SCAN_WP_MATCHING (1u << 0)
#define HI_PM_SCAN_CHECK_WPASYNC (1u << 1)

#define MAX_WRITTEN 16
/* The most pages a scan that protects pages again walks: the kernel flushes the TLB entry by entry up to 33 pages, whole beyond (flush_tlb_mm_range's ceiling). */
#define FLUSH_PAGES 32
/* Pages apart that a span still takes in as one scan, past FLUSH_PAGES (a run written page after page, a copy's). */
#define NEAR_PAGES 4

/* A span of the heap a scan walks, in bytes from its start. */
struct span {
    size_t from, to;
};

static int uffd = -1;
static int pagemap = -1;
static size_t open_end;        /* bytes from the heap's start that are writable */
static uint8_t *written;       /* per page: unprotected */
static uint32_t *written_list; /* those pages: the last scan's (in address order), then the fill's and the faults' */
static uint32_t *was_list;     /* written_list as a scan found it */
static struct span *span_list; /* protect_listed's spans */
static size_t nwritten;
static size_t nscanned;       /* written_list[0, nscanned): the scan's */
static long faults_seen = -1; /* the thread's page faults at the last look */
static bool all_protected;    /* the heap as hi_kernel_start left it */
static bool sampled;          /* the faults' addresses are sampled (track_samples.c) */
static volatile size_t opened; /* SIGSEGVs that opened more of the region since the last look (sampled, but not counted as the thread's faults) */

static long thread_faults(void) {
    struct rusage u;
    if (getrusage(RUSAGE_THREAD, &u) != 0) return -1;
    return u.ru_minflt + u.ru_majflt;
}

static bool protect(char *from, size_t n, bool on) {
    struct uffdio_writeprotect wp = {.range = {.start = (uintptr_t)from, .len = n}, .mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0};
    return ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) == 0;
}

/* Opens the region up to at least `end` bytes, and some more (a 32nd of what is open, at least 16 pages): the heap grows at its end. Async-signal-safe. */
static void open_to(size_t end) {
    size_t span = hi_npages * hi_page;
    size_t more = open_end / 32 > 16 * hi_page ? open_end / 32 : 16 * hi_page;
    size_t want = end > open_end + more ? end : open_end + more;
    want = (want + hi_page - 1) / hi_page * hi_page;
    if (want > span) want = span;
    if (want <= open_end) return;
    mprotect(hi_heap + open_end, want - open_end, PROT_READ | PROT_WRITE);
    open_end = want;
}

static void forget_written(void) {
    for (size_t k = 0; k < nwritten; k++) written[written_list[k]] = 0;
    nwritten = nscanned = 0;
}

/*
 * Takes each page of the spans (in address order) written since it was last protected, and
 * protects them again if `reprotect`; written_list becomes those pages, unless `reprotect`. False
 * when the kernel refused.
 */
static bool scan_spans(const struct span *spans, size_t nspans, bool reprotect, size_t skip_lo, size_t skip_hi) {
    struct hi_page_region vec[256];
    uint64_t started = hi_clock_ns();
    size_t run = 0; /* new pages in a row */
    /* The pages unprotected now are all among those the scan finds; a page listed for a fault that did not write it (a read) is still protected, and is listed no more. */
    size_t was = nwritten;
    memcpy(was_list, written_list, was * sizeof *was_list);
    for (size_t k = 0; k < was; k++) written[was_list[k]] = 2;
    nwritten = 0;
    for (size_t s = 0; s < nspans; s++) {
        struct hi_pm_scan_arg arg = {
            .size = sizeof arg,
            .flags = reprotect ? HI_PM_SCAN_WP_MATCHING | HI_PM_SCAN_CHECK_WPASYNC : 0,
            .start = (uintptr_t)hi_heap + spans[s].from,
            .end = (uintptr_t)hi_heap + spans[s].to,
            .vec = (uintptr_t)vec,
            .vec_len = sizeof vec / sizeof vec[0],
            .category_mask = HI_PAGE_IS_WRITTEN,
            .return_mask = HI_PAGE_IS_WRITTEN,
        };
        while (arg.start < arg.end) {
            long n = ioctl(pagemap, HI_PAGEMAP_SCAN, &arg);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                for (size_t k = 0; k < was; k++) written[was_list[k]] = 1;
                return false;
            }
            for (long k = 0; k < n; k++) {
                for (uint64_t p = vec[k].start; p < vec[k].end; p += hi_page) {
                    size_t r = (p - (uintptr_t)hi_heap) / hi_page;
                    hi_take_page(r, skip_lo, skip_hi);
                    if (!written[r]) {
                        run++;
                        hi_seen.new_pages++;
                    } else if (run > 0) {
                        hi_seen.faults += hi_faults_for(run);
                        run = 0;
                    }
                    written[r] = !reprotect;
                    if (!reprotect) written_list[nwritten++] = (uint32_t)r;
                }
                if (run > 0) hi_seen.faults += hi_faults_for(run);
                run = 0;
            }
            if ((size_t)n < arg.vec_len) break;
            arg.start = arg.walk_end;
        }
        hi_seen.scanned += (spans[s].to - spans[s].from) / hi_page;
        if (spans[s].to / hi_page > hi_seen.top) hi_seen.top = spans[s].to / hi_page;
    }
    for (size_t k = 0; k < was; k++)
        if (written[was_list[k]] == 2) written[was_list[k]] = 0;
    nscanned = nwritten;
    hi_seen.scans++;
    hi_seen.scan_ns += hi_clock_ns() - started;
    return true;
}

static bool scan(size_t from, size_t to, bool reprotect, size_t skip_lo, size_t skip_hi) {
    struct span whole = {from, to};
    return scan_spans(&whole, 1, reprotect, skip_lo, skip_hi);
}

bool hi_kernel_start(void) {
    size_t span = hi_npages * hi_page;
    written = calloc(hi_npages, 1);
    written_list = calloc(hi_npages, sizeof *written_list);
    was_list = calloc(hi_npages, sizeof *was_list);
    span_list = calloc(hi_npages, sizeof *span_list);
    if (written == NULL || written_list == NULL || was_list == NULL || span_list == NULL) return false;
    uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
    if (uffd < 0) return false;
    uint64_t wanted = HI_UFFD_FEATURE_WP_ASYNC | HI_UFFD_FEATURE_WP_UNPOPULATED;
    struct uffdio_api api = {.api = UFFD_API, .features = wanted};
    struct uffdio_register reg = {.range = {.start = (uintptr_t)hi_heap, .len = span}, .mode = UFFDIO_REGISTER_MODE_WP};
    if (ioctl(uffd, UFFDIO_API, &api) == 0 && (api.features & wanted) == wanted && ioctl(uffd, UFFDIO_REGISTER, &reg) == 0) {
        pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
        /* The heap protected, untouched yet: a scan finds nothing written when the kernel can do it all. */
        all_protected = pagemap >= 0 && protect(hi_heap, span, true) && scan(0, span, false, 0, 0) && nwritten == 0;
        memset(&hi_seen, 0, sizeof hi_seen);
        if (all_protected) {
            const char *chosen = getenv("HEAP_INSPECTOR_TRACKING");
            sampled = !(chosen != NULL && strcmp(chosen, "scan") == 0) && hi_samples_start();
            return true;
        }
        forget_written();
        if (pagemap >= 0) close(pagemap);
        ioctl(uffd, UFFDIO_UNREGISTER, &reg.range);
    }
    close(uffd);
    pagemap = uffd = -1;
    return false;
}

bool hi_kernel_sampled(void) {
    return sampled;
}

bool hi_kernel_enter(void) {
    size_t span = hi_npages * hi_page;
    if (open_end > 0) mprotect(hi_heap, open_end, PROT_READ | PROT_WRITE);
    if (open_end < span) mprotect(hi_heap + open_end, span - open_end, PROT_READ);
    faults_seen = -1;
    if (!all_protected) all_protected = protect(hi_heap, span, true);
    if (sampled) {
        /* Every page protected and none listed: only faults from now on write pages. */
        hi_samples_enable(true);
        hi_samples_take(NULL);
        faults_seen = hi_samples_all_faults ? 0 : thread_faults();
        opened = 0;
    }
    return all_protected;
}

void hi_kernel_leave(void) {
    if (sampled) hi_samples_enable(false); /* faults need no samples */
    protect(hi_heap, hi_npages * hi_page, false);
    all_protected = false;
    forget_written();
}

bool hi_kernel_fault(size_t r) {
    if (r * hi_page < open_end) return false;
    open_to(r * hi_page + hi_page);
    opened++;
    return true;
}

/* A page a sampled fault was on: listed, if it was not (at a look, so not async-signal-safe). */
static void note_page(size_t r) {
    if (written[r]) return;
    written[r] = 1;
    written_list[nwritten++] = (uint32_t)r;
    hi_seen.new_pages++;
    if (r + 1 > hi_seen.top) hi_seen.top = r + 1;
}

/* Lists the pages of the faults sampled since the last look; whether those were all the thread took (none lost, none taken inside a system call unsampled). */
static bool note_sampled(void) {
    long faults = hi_samples_all_faults ? 0 : thread_faults();
    size_t listed = nwritten;
    long n = hi_samples_take(note_page);
    /* What faults would have taken for the new pages: a run of them in a row is a copy running forward (its source read page by page too). */
    hi_sort_pages(written_list + listed, nwritten - listed, 0);
    for (size_t k = listed, run = 1; k < nwritten; k++, run++) {
        if (k + 1 < nwritten && written_list[k + 1] == written_list[k] + 1) continue;
        hi_seen.faults += hi_faults_for(run);
        run = 0;
    }
    bool all = n >= 0 && faults_seen >= 0 && (hi_samples_all_faults || (faults >= 0 && faults - faults_seen <= n - (long)opened));
    faults_seen = faults;
    opened = 0;
    return all;
}

/* Compares the pages listed, in address order. */
static void take_listed(size_t skip_lo, size_t skip_hi) {
    hi_sort_pages(written_list, nwritten, nscanned);
    nscanned = nwritten;
    for (size_t k = 0; k < nwritten; k++) hi_take_page(written_list[k], skip_lo, skip_hi);
}

/* A scan of [from, to); when the kernel refuses (it never should), every page compared, from where the scan stopped or not. */
static bool scan_or_compare(size_t from, size_t to, bool reprotect, size_t skip_lo, size_t skip_hi) {
    if (scan(from, to, reprotect, skip_lo, skip_hi)) return true;
    for (size_t r = 0; r * hi_page < open_end; r++) hi_take_page(r, skip_lo, skip_hi);
    return false;
}

/*
 * Compares the pages listed and protects them again, by scans of spans of at most FLUSH_PAGES
 * pages: the kernel flushes the TLB after a scan that protects pages, entry by entry over a span
 * that short, whole over a longer one, and a whole flush makes the allocator's next walk over its
 * heap take a TLB miss on every page it visits (docs/performance.md, "Your own allocator").
 */
static bool protect_listed(size_t skip_lo, size_t skip_hi) {
    struct span *spans = span_list;
    size_t nspans = 0;
    bool whole = nwritten - nscanned > 32; /* many pages newly listed (a copy's run): one scan, without sorting them */
    if (!whole) {
        hi_sort_pages(written_list, nwritten, nscanned);
        for (size_t k = 0; k < nwritten && written_list[k] * hi_page < open_end; k++) {
            size_t r = written_list[k], end = (r + 1) * hi_page < open_end ? (r + 1) * hi_page : open_end;
            /* A page joins the span before it when the span stays short, or when it is near. */
            if (nspans > 0 && (r * hi_page < spans[nspans - 1].from + FLUSH_PAGES * hi_page || r * hi_page < spans[nspans - 1].to + NEAR_PAGES * hi_page))
                spans[nspans - 1].to = end;
            else
                spans[nspans++] = (struct span){r * hi_page, end};
            /* A span long enough to flush the whole TLB anyway: one scan, as fewer calls. */
            whole |= spans[nspans - 1].to - spans[nspans - 1].from > FLUSH_PAGES * hi_page;
        }
    }
    if (whole) {
        size_t lo = SIZE_MAX, hi = 0;
        for (size_t k = 0; k < nwritten; k++) {
            if (written_list[k] < lo) lo = written_list[k];
            if (written_list[k] > hi) hi = written_list[k];
        }
        size_t end = (hi + 1) * hi_page < open_end ? (hi + 1) * hi_page : open_end;
        nspans = nwritten > 0 && lo * hi_page < end;
        spans[0] = (struct span){lo * hi_page, end};
    }
    if (nspans == 0) {
        forget_written(); /* only pages past open_end, read: still read-only */
        return true;
    }
    if (scan_spans(spans, nspans, true, skip_lo, skip_hi)) return true;
    for (size_t r = 0; r * hi_page < open_end; r++) hi_take_page(r, skip_lo, skip_hi);
    return false;
}

bool hi_kernel_take(size_t skip_lo, size_t skip_hi) {
    static uint32_t recent; /* a bit a look, the last 32: the scan found pages newly written */
    if (open_end == 0) return true;
    if (sampled) {
        /* Every page unprotected is listed: those the last look left, the fill's and the faults'. */
        bool all = note_sampled();
        if (!all) return scan_or_compare(0, open_end, nwritten > MAX_WRITTEN, skip_lo, skip_hi);
        if (nwritten <= MAX_WRITTEN) {
            take_listed(skip_lo, skip_hi);
            return true;
        }
        /* Too many open: compared and protected again by scans of the pages listed, FLUSH_PAGES at most each. */
        return protect_listed(skip_lo, skip_hi);
    }
    bool reprotect = nwritten > MAX_WRITTEN;
    /* When most looks find new pages, asking for the fault count first would cost more than it saves. */
    if (!reprotect && __builtin_popcount(recent) < 24) {
        long faults = thread_faults();
        bool faulted = faults < 0 || faults != faults_seen;
        faults_seen = faults;
        if (!faulted) {
            /* No page fault since the last look: no protected page was written. */
            take_listed(skip_lo, skip_hi);
            recent <<= 1;
            return true;
        }
    } else {
        faults_seen = -1; /* not asked: the next ask scans */
    }
    size_t seen = hi_seen.new_pages;
    bool scanned = scan_or_compare(0, open_end, reprotect, skip_lo, skip_hi);
    recent = recent << 1 | (hi_seen.new_pages != seen);
    return scanned;
}

void hi_kernel_open(size_t offset, size_t n) {
    size_t first = offset / hi_page, last = (offset + n - 1) / hi_page;
    if (offset + n > open_end) open_to(offset + n);
    /* Two protected pages or more are unprotected at once (some 70 ns a page) rather than by a fault each (some 1.1 us with its sample). */
    size_t protected = 0;
    for (size_t q = first; q <= last && protected < 2; q++) protected += !written[q];
    if (protected >= 2 && protect(hi_heap + first * hi_page, (last - first + 1) * hi_page, false)) {
        for (size_t q = first; q <= last; q++) {
            if (written[q]) continue;
            written[q] = 1;
            written_list[nwritten++] = (uint32_t)q;
        }
    }
}

void hi_kernel_fill(size_t offset, size_t n, unsigned char byte) {
    hi_kernel_open(offset, n);
    memset(hi_heap + offset, byte, n);
}

void hi_kernel_filled(size_t payload_lo, size_t payload_hi) {
    size_t first = (payload_lo + hi_page - 1) / hi_page, end = payload_hi / hi_page;
    if (end > open_end / hi_page) end = open_end / hi_page;
    if (first + 2 > end || nwritten <= MAX_WRITTEN) return;
    /* The pages wholly inside the payload are as the shadow says (the fill wrote both): when the next look would protect them again anyway, they are protected now, and need not be compared. */
    if (!protect(hi_heap + first * hi_page, (end - first) * hi_page, true)) return;
    size_t kept = 0, kept_scanned = 0;
    for (size_t k = 0; k < nwritten; k++) {
        uint32_t r = written_list[k];
        if (r >= first && r < end) {
            written[r] = 0;
            continue;
        }
        if (k < nscanned) kept_scanned++;
        written_list[kept++] = r;
    }
    nwritten = kept;
    nscanned = kept_scanned;
}
#else
bool hi_kernel_start(void) {
    return false;
}
bool hi_kernel_sampled(void) {
    return false;
}
bool hi_kernel_enter(void) {
    return false;
}
void hi_kernel_leave(void) {}
bool hi_kernel_fault(size_t r) {
    (void)r;
    return false;
}
bool hi_kernel_take(size_t skip_lo, size_t skip_hi) {
    (void)skip_lo;
    (void)skip_hi;
    return false;
}
void hi_kernel_open(size_t offset, size_t n) {
    (void)offset;
    (void)n;
}
void hi_kernel_fill(size_t offset, size_t n, unsigned char byte) {
    (void)offset;
    (void)n;
    (void)byte;
}
void hi_kernel_filled(size_t payload_lo, size_t payload_hi) {
    (void)payload_lo;
    (void)payload_hi;
}
#endif

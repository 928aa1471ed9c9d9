/*
 * track_ways.h: the two ways tracking.c tells the pages the allocator wrote (track_faults.c,
 * track_kernel.c) and what they share: the heap's region in pages, and the comparison of a page
 * with the shadow copy. Inside the harness only; its names start with hi_.
 */
#ifndef HEAP_INSPECTOR_TRACK_WAYS_H
#define HEAP_INSPECTOR_TRACK_WAYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { HI_OFF, HI_BY_KERNEL, HI_BY_FAULTS, HI_BY_STORES };

extern char *hi_heap;      /* the region's start (page-aligned) */
extern size_t hi_heap_max; /* its size */
extern size_t hi_page;
extern size_t hi_npages; /* its pages (the last one may be short) */

/* Bytes of page r. */
size_t hi_page_length(size_t r);
/* Whether page r lies wholly inside [lo, hi) (offsets). */
bool hi_page_inside(size_t r, size_t lo, size_t hi);
/* Records the words of page r that differ from the shadow, but those wholly inside [skip_lo, skip_hi) (the payload the driver fills next, in the heap and the shadow alike), and copies them there; whether any differed. */
bool hi_take_page(size_t r, size_t skip_lo, size_t skip_hi);
/* Records the words of [from, from + len) (from a multiple of 8) that differ from the shadow, and copies them there; whether any differed. */
bool hi_take_range(size_t from, size_t len);
/* The same for [from, to) (from and to multiples of 8), compared a block at a time (AVX2 where the CPU has it). */
bool hi_take_words(size_t from, size_t to);
/* Notes that a look recorded a word of page r (hi_track_changed). */
void hi_note_changed(size_t r);
/* Puts pages[0, n) in address order, pages[0, sorted) being so already. */
void hi_sort_pages(uint32_t *pages, size_t n, size_t sorted);

/*
 * What the ways saw since the last choice, from which tracking.c estimates what each way costs:
 * pages newly written (by the kernel: found so by a scan; by faults: opened by a fault), the
 * faults that opened pages (by the kernel: those faults would have taken for the runs of new pages
 * found, hi_faults_for), the looks after which faults had opened pages, the scans, the pages they
 * walked and their time, how far into the heap pages were written, and the pages compared.
 */
struct hi_seen {
    size_t new_pages;
    size_t faults;
    size_t looks_faulted;
    size_t scans;
    size_t scanned; /* pages */
    uint64_t scan_ns;
    size_t top;      /* the highest page written or opened, plus one */
    size_t compared; /* pages compared with the shadow */
};
extern struct hi_seen hi_seen;
/* The faults a copy running forward through `run` pages takes by faults. */
size_t hi_faults_for(size_t run);
uint64_t hi_clock_ns(void);

/*
 * Each way: start (once: what it needs, or false when it cannot be had), enter (from a heap whose
 * every page is as the shadow says: the way's protections set; false when the kernel refused),
 * leave (the same, before the other way enters), fault (a SIGSEGV on page r: true when it opened
 * the page), take (a look: the changed words recorded; false when the kernel refused, and the
 * words were found by comparing every page) and fill (the heap's [offset, offset + n) set to
 * byte, of the payload the driver fills, [payload_lo, payload_hi); tracking.c sets the shadow's).
 */
bool hi_faults_start(void);
void hi_faults_enter(void);
void hi_faults_leave(void);
bool hi_faults_fault(size_t r);
void hi_faults_take(size_t skip_lo, size_t skip_hi);
void hi_faults_fill(size_t offset, size_t n, unsigned char byte, size_t payload_lo, size_t payload_hi);
/* [offset, offset + n) about to be written by one call (a copy): its pages opened at once when two or more are not, listed as written (compared at the next look). */
void hi_faults_open(size_t offset, size_t n);

/*
 * The thread's page faults since the last call, sampled with their addresses (track_samples.c):
 * start (false when perf events are refused); take calls page(r) for each fault on the heap's
 * page r, in the order they came, and says how many faults were sampled in all, or -1 when some
 * were lost; enable turns the sampling on or off. hi_samples_all_faults: faults taken inside
 * system calls are sampled too.
 */
bool hi_samples_start(void);
void hi_samples_enable(bool on);
long hi_samples_take(void (*page)(size_t r));
extern bool hi_samples_all_faults;

bool hi_kernel_start(void);
/* Whether the kernel's way lists the pages written from the faults sampled (else it scans after every look that faulted). */
bool hi_kernel_sampled(void);
bool hi_kernel_enter(void);
void hi_kernel_leave(void);
bool hi_kernel_fault(size_t r);
bool hi_kernel_take(size_t skip_lo, size_t skip_hi);
void hi_kernel_fill(size_t offset, size_t n, unsigned char byte);
void hi_kernel_open(size_t offset, size_t n);
/* After the driver filled the payload [payload_lo, payload_hi): its pages, as the shadow says, protected again and no longer listed. */
void hi_kernel_filled(size_t payload_lo, size_t payload_hi);

/*
 * The way by stores (track_stores.c): start (false when there is no memory for it), enter (the
 * hooks mark stores into the heap, or not), mark ([offset, offset + n) about to be written: its
 * lines compared at the next look) and take (a look: the lines marked compared and forgotten).
 */
bool hi_stores_start(void);
void hi_stores_enter(bool on);
void hi_stores_mark(size_t offset, size_t n);
void hi_stores_take(size_t skip_lo, size_t skip_hi);

#endif

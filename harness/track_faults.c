/*
 * track_faults.c: the pages the allocator wrote, told by faults (track_ways.h, tracking.c). The heap
 * is read-only (mprotect) and a page's first write is a SIGSEGV whose handler opens the page and
 * notes it. A fault on the page after the ones the last fault opened (a copy running forward) opens
 * RUN_PAGES pages at once, then twice as many as the time before, up to MAX_RUN. A page stays open,
 * compared at every look, until IDLE_LOOKS looks in a row found it unchanged, or sooner when more
 * than MAX_OPEN are open (a last page cut short by the heap's end at once, so that a write past the
 * end faults as it did); the pages wholly inside a payload of more than BIG_FILL pages (a quarter
 * of the open ones it would take) are closed once the driver has filled it.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "track_ways.h"

#define RUN_PAGES 16
#define MAX_RUN 256
#define IDLE_LOOKS 96
#define MAX_OPEN 48
#define BIG_FILL (MAX_OPEN / 4)

static uint8_t *age;        /* per page: 0 closed, else 1 + the looks since it last changed */
static uint32_t *open_list; /* the open pages */
static size_t nopen;
static size_t sorted;                 /* open_list[0, sorted) is in address order */
static uint32_t *closing;             /* the pages to close */
static size_t last_opened = SIZE_MAX; /* the last page the last fault opened */
static size_t last_run;               /* how many pages it opened */

static void set_access(size_t first, size_t last, int prot) {
    mprotect(hi_heap + first * hi_page, (last - first) * hi_page + hi_page_length(last), prot);
}

/* Opens pages first..last and notes those that were closed; async-signal-safe. */
static void open_pages(size_t first, size_t last) {
    for (size_t q = first; q <= last; q++) {
        if (age[q]) continue;
        age[q] = 1;
        open_list[nopen++] = (uint32_t)q;
        hi_seen.new_pages++;
    }
    set_access(first, last, PROT_READ | PROT_WRITE);
}

/* The pages the fault after a fault that opened `last_run` pages opens (the first fault of a run opens one). */
static size_t next_run(size_t last_run) {
    return last_run < RUN_PAGES ? RUN_PAGES : last_run < MAX_RUN ? 2 * last_run : MAX_RUN;
}

size_t hi_faults_for(size_t run) {
    size_t faults = 1, covered = 1, opened = 1;
    while (covered < run) {
        opened = next_run(opened);
        covered += opened;
        faults++;
    }
    return faults;
}

/* Closes closing[0, n) (in address order), each run of neighbours with one call. */
static void close_pages(size_t n) {
    for (size_t k = 0; k < n;) {
        size_t j = k;
        while (j + 1 < n && closing[j + 1] == closing[j] + 1) j++;
        set_access(closing[k], closing[j], PROT_READ);
        k = j + 1;
    }
}

bool hi_faults_start(void) {
    age = calloc(hi_npages, 1);
    open_list = calloc(hi_npages, sizeof *open_list);
    closing = calloc(hi_npages, sizeof *closing);
    return age != NULL && open_list != NULL && closing != NULL;
}

void hi_faults_enter(void) {
    mprotect(hi_heap, hi_npages * hi_page, PROT_READ);
}

void hi_faults_leave(void) {
    for (size_t k = 0; k < nopen; k++) age[open_list[k]] = 0;
    nopen = sorted = 0;
    last_opened = SIZE_MAX;
}

bool hi_faults_fault(size_t r) {
    if (age[r]) return false;
    size_t run = r > 0 && last_opened == r - 1 ? next_run(last_run) : 1;
    size_t last = r;
    while (last + 1 < hi_npages && last + 1 < r + run && !age[last + 1]) last++;
    open_pages(r, last);
    if (last + 1 > hi_seen.top) hi_seen.top = last + 1;
    last_opened = last;
    last_run = run;
    hi_seen.faults++;
    return true;
}

void hi_faults_take(size_t skip_lo, size_t skip_hi) {
    static size_t faults_seen;
    if (hi_seen.faults != faults_seen) hi_seen.looks_faulted++;
    faults_seen = hi_seen.faults;
    last_opened = SIZE_MAX;
    if (nopen == 0) return;
    hi_sort_pages(open_list, nopen, sorted);
    bool crowded = nopen > MAX_OPEN;
    size_t kept = 0, nclosing = 0;
    for (size_t k = 0; k < nopen; k++) {
        uint32_t r = open_list[k];
        if (hi_take_page(r, skip_lo, skip_hi))
            age[r] = 1;
        else if (age[r] < UINT8_MAX)
            age[r]++;
        /* A page of the payload the driver fills next stays open for the fill. */
        bool idle = age[r] > IDLE_LOOKS || (crowded && age[r] > 1) || hi_page_length(r) < hi_page;
        if (idle && !hi_page_inside(r, skip_lo, skip_hi)) {
            age[r] = 0;
            closing[nclosing++] = r;
        } else {
            open_list[kept++] = r;
        }
    }
    nopen = sorted = kept;
    close_pages(nclosing);
}

void hi_faults_open(size_t offset, size_t n) {
    size_t first = offset / hi_page, last = (offset + n - 1) / hi_page;
    size_t closed = 0;
    for (size_t q = first; q <= last && closed < 2; q++) closed += !age[q];
    /* A page cut short by the heap's end stays closed: a write past the end faults. */
    if (hi_page_length(last) < hi_page) last--;
    if (closed < 2 || last == SIZE_MAX || last < first) return;
    size_t seen = hi_seen.new_pages;
    open_pages(first, last);
    hi_seen.new_pages = seen; /* opened by a call, as the kernel's way would: no fault to weigh */
}

void hi_faults_fill(size_t offset, size_t n, unsigned char byte, size_t payload_lo, size_t payload_hi) {
    size_t first = offset / hi_page, last = (offset + n - 1) / hi_page;
    /* Closed pages are opened for the fill and closed again after it; so are the open ones wholly inside a large payload (its run of pages is not written again before it is freed). */
    size_t lo = payload_lo / hi_page, hi = (payload_hi - 1) / hi_page;
    bool large = hi - lo >= BIG_FILL;
    size_t nclosing = 0;
    bool opening = false, dropping = false;
    for (size_t q = large ? lo : first; q <= (large ? hi : last); q++) {
        bool written = q >= first && q <= last;
        if (!age[q] && written) {
            opening = true;
            closing[nclosing++] = (uint32_t)q;
        } else if (age[q] && large && hi_page_inside(q, payload_lo, payload_hi)) {
            dropping = true;
            age[q] = 0;
            closing[nclosing++] = (uint32_t)q;
        }
    }
    if (opening) set_access(first, last, PROT_READ | PROT_WRITE);
    memset(hi_heap + offset, byte, n);
    if (dropping) {
        size_t kept = 0, kept_sorted = 0;
        for (size_t k = 0; k < nopen; k++) {
            if (!age[open_list[k]]) continue;
            if (k < sorted) kept_sorted++;
            open_list[kept++] = open_list[k];
        }
        nopen = kept;
        sorted = kept_sorted;
    }
    close_pages(nclosing);
}

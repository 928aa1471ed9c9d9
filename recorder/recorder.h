// What recorder.c (the stream and the allocation functions) offers leaving.c (the ways a process
// image ends: _exit, exec, and the signal handlers it installs). Hidden: not part of what the
// library exports to the program.

#ifndef HEAP_INSPECTOR_RECORDER_H
#define HEAP_INSPECTOR_RECORDER_H

#define HIDDEN __attribute__((visibility("hidden")))

/* Writes what is buffered, for good: the process is ending (the destructor, _exit). */
HIDDEN void hi_stop(void);
/* Before an exec: writes the buffer and an exec mark; 1 if it did (this process is recording). */
HIDDEN int hi_exec_started(void);
/* After an exec that returned (it failed): marks it if it was started, and returns rc with errno kept. */
HIDDEN int hi_exec_failed(int started, int rc);
/* The handler the recorder installs for signals that end the process. */
HIDDEN void hi_on_fatal(int sig);
/* Finds leaving.c's real functions (with the allocation functions', before any is needed). */
HIDDEN void hi_resolve_leaving(void);

#endif

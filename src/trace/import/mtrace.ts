// glibc's mtrace log (docs/importing.md), a line at a time. What glibc 2.36 writes:
//
//   = Start                          mtrace() was called
//   @ WHERE + PTR SIZE               malloc, calloc (SIZE is count x size), memalign, realloc(NULL, n)
//   @ WHERE - PTR                    free (free(NULL) is not written), realloc(p, 0)
//   @ WHERE < OLD                    a realloc that succeeded: two lines, written together
//   @ WHERE > NEW SIZE
//   @ WHERE ! OLD SIZE               a realloc that failed (OLD stays allocated)
//   = End                            muntrace() was called
//
// PTR is `0x...`, or `(nil)` for an allocation that failed; SIZE is hex with `0x`, or `0`. WHERE
// (the caller) is `file:(sym+0xoff)[0xaddr]`, `file:[0xoff]`, `[0xaddr]` or absent, with `@ `
// only when present; it is read from the right, so a file name with spaces does not matter.

import type { DiagnosticSink } from '../diagnostics';
import { addressKey, type AddressKey } from './blockIds';
import { LogImporter, logSize, type OpSink } from './logImporter';

const NIL = '(nil)';

/** The importer of a glibc mtrace log. */
export class MtraceImporter extends LogImporter {
  /** The `< OLD` line of a realloc, waiting for its `> NEW SIZE`. */
  private pending: { readonly old: AddressKey; readonly line: number } | null = null;

  constructor(sink: OpSink, diagnostics: DiagnosticSink) {
    super(sink, diagnostics);
  }

  finish(): void {
    this.unpaired();
  }

  protected readLine(text: string): void {
    const t = text.split(/\s+/);
    const n = t.length;
    if (t[0] === '=') {
      if (n === 2 && (t[1] === 'Start' || t[1] === 'End')) this.skip();
      else this.notUnderstood(`${this.quote(text)} is not an mtrace line: one starting "=" is "= Start" or "= End".`);
      this.unpaired();
      return;
    }
    // The op is the token before the last one (`- PTR`, `< OLD`) or before the last two (`+ PTR SIZE`, `> NEW SIZE`, `! OLD SIZE`).
    const at = n >= 2 && (t[n - 2] === '-' || t[n - 2] === '<') ? n - 2 : n >= 3 && (t[n - 3] === '+' || t[n - 3] === '>' || t[n - 3] === '!') ? n - 3 : -1;
    // Before the op: nothing, or `@` and the caller.
    if (at < 0 || (at > 0 && t[0] !== '@')) {
      this.notUnderstood(`${this.quote(text)} is not an mtrace line: one is "@ CALLER + PTR SIZE", "- PTR", "< OLD" then "> NEW SIZE", "! OLD SIZE", "= Start" or "= End" (CALLER may be absent).`);
      this.unpaired();
      return;
    }
    const op = t[at]!;
    if (op !== '>') this.unpaired();
    const pointer = t[at + 1]!;
    const address = pointer === NIL ? null : addressKey(pointer);
    if (address === null && pointer !== NIL) {
      this.notUnderstood(`The pointer ${this.quote(pointer)} is not one mtrace writes (0x and hex digits, or (nil)).`);
      return;
    }
    let size: number | bigint = 0;
    if (at + 2 < n) {
      const parsed = logSize(t[at + 2]!, true);
      if (typeof parsed === 'object') {
        this.notUnderstood(parsed.problem);
        if (op === '>') this.unpaired();
        return;
      }
      size = parsed;
    }
    if (address === null && op !== '+') {
      this.notUnderstood(`mtrace writes (nil) only for an allocation that failed ("+ (nil) SIZE"), not after "${op}".`);
      if (op === '>') this.unpaired();
      return;
    }
    switch (op) {
      case '+':
        this.allocated(address, size, `An allocation of ${size} bytes`);
        return;
      case '-':
        this.freed(address, 'This free');
        return;
      case '<':
        this.pending = { old: address!, line: this.line };
        return;
      case '>': {
        const pending = this.pending;
        this.pending = null;
        if (pending === null) {
          this.notUnderstood('A realloc\'s second line ("> NEW SIZE") without its first ("< OLD") just before it, so which block moved is not known.');
          return;
        }
        this.reallocated(pending.old, address, size, `This realloc to ${size} bytes`);
        return;
      }
      case '!':
        this.reallocated(address!, null, size, `This realloc to ${size} bytes`);
        return;
    }
  }

  /** A `< OLD` line whose `> NEW SIZE` did not come next: an error on that line; the block stays where it was. */
  private unpaired(): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    this.notUnderstood('A realloc\'s first line ("< OLD") without its second ("> NEW SIZE") next, so where the block went is not known; it is left allocated where it was.', pending.line);
  }
}

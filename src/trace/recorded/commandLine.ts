// A command line typed into the editor's input box, split into words the way a POSIX shell splits a
// simple command (docs/recording.md, "In VS Code"): quotes and backslashes, nothing else. What
// only a shell can run (pipes, redirections, variables, globbing) is refused with a reason.

/** Characters that mean more than a word to a shell when unquoted. */
const SHELL_ONLY = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`', '*', '?', '[', '~']);

/** The stem a recording of `program` is named after: its file name, with only the characters a file name can always hold. */
export function recordingStem(program: string): string {
  return (program.split('/').pop() ?? '').replace(/[^A-Za-z0-9._-]/g, '_') || 'recording';
}

export type SplitCommand = { readonly words: readonly string[] } | { readonly problem: string };

export function splitCommandLine(text: string): SplitCommand {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === '\\') {
      if (i + 1 < text.length) word += text[++i];
      continue;
    }
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { problem: 'a quote (\') is not closed' };
      word += text.slice(i + 1, end);
      i = end;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1]!)) j++;
        else if (text[j] === '$' || text[j] === '`') return { problem: `"${text[j]}" inside double quotes needs a shell: run sh -c '...' instead` };
        word += text[j];
      }
      if (j >= text.length) return { problem: 'a quote (") is not closed' };
      i = j;
      continue;
    }
    if (SHELL_ONLY.has(ch) && !(ch === '~' && word !== '')) return { problem: `"${ch}" needs a shell (a pipe, redirection, variable or pattern): run sh -c '...' instead, or quote it` };
    word += ch;
  }
  if (inWord) words.push(word);
  return words.length === 0 ? { problem: 'the command line is empty' } : { words };
}

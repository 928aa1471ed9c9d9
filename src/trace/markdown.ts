// Trace text inside the Markdown of hovers: a pointer's name or a line of the trace is the user's
// text, so it is escaped, never taken as Markdown (links, emphasis, HTML).

/** `text` with every character Markdown gives a meaning to escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

/**
 * `text` as a Markdown code span, whatever it holds: a fence one backtick longer than the longest
 * run of backticks inside, and no line breaks.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  let longest = 0;
  for (const run of flat.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * `text` (a program's output, say) as a Markdown code block, whatever it holds: a fence of one
 * backtick more than the longest run inside (at least three), so nothing in it ends the block.
 */
export function codeBlock(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text.replace(/\r\n?/g, '\n').replace(/\n$/, '')}\n${fence}`;
}

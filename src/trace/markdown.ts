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

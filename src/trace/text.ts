// Quoting a piece of a trace in a message: clipped, with control characters written as escapes.

/**
 * A token as a message quotes it: at most `max` characters, and control characters written as
 * escapes (`\0`, `\x01`), so a message never carries a raw NUL or escape sequence to a terminal.
 */
export function clip(text: string, max = 24): string {
  const short = text.length > max ? `${text.slice(0, max - 3)}...` : text;
  return short.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\0' ? '\\0' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

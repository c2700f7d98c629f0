/**
 * Splits an answer into pieces of at most `limit` characters (UTF-16 units, as the
 * platforms count them) for channels that cap message length: at a paragraph break
 * when one is near the end, else at a line break, else at a space, else anywhere but
 * inside a surrogate pair.
 */
export function splitText(text: string, limit: number): string[] {
  if (limit < 2) throw new Error('limit must be at least 2');
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    const floor = Math.floor(limit / 2);
    let cut = lastBreak(window, '\n\n', floor);
    if (cut < 0) cut = lastBreak(window, '\n', floor);
    if (cut < 0) cut = lastBreak(window, ' ', floor);
    if (cut < 0) cut = isHighSurrogate(rest.charCodeAt(limit - 1)) ? limit - 1 : limit;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

/** Index of the last `separator` in `window` at or after `floor`, or -1. */
function lastBreak(window: string, separator: string, floor: number): number {
  const at = window.lastIndexOf(separator);
  return at >= floor ? at : -1;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

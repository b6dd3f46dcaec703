const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;

/**
 * Whether an object in a JSON text has more than `limit` keys, by a scan of the text (strings
 * skipped, one key count per open object) before `JSON.parse` builds it: building one object of
 * many keys is what makes such a body expensive (apps/bench/PROFILING.md). Malformed JSON is
 * left to `JSON.parse`.
 */
export function hasObjectOfMoreKeys(text: string, limit: number): boolean {
  // Each key takes at least 4 characters (`"":0`) and a separator.
  if (text.length < 5 * limit) return false;
  const keys: number[] = [];
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
    } else if (c === COLON) {
      const top = keys.length - 1;
      if (top >= 0) {
        const count = (keys[top] as number) + 1;
        if (count > limit) return true;
        keys[top] = count;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      keys.push(0);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      keys.pop();
    }
  }
  return false;
}

/** The index of the quote that closes the string opened at `start` (the text's end if none). */
function stringEnd(text: string, start: number): number {
  let at = start;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

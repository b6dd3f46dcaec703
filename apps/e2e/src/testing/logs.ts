/** Parses JSON-lines output; throws naming the first line that is not a JSON object. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const value: unknown = JSON.parse(line);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new Error(`line ${index + 1} is not a JSON object: ${line}`);
      }
      return value as Record<string, unknown>;
    });
}

/**
 * Reads JSON-lines output until `done` holds for its lines, or `timeoutMs` passed (then returns
 * what it read): nginx's access log is written in blocks flushed every 100 ms.
 */
export async function linesWhen(
  read: () => Promise<string>,
  done: (lines: Record<string, unknown>[]) => boolean,
  timeoutMs = 5_000,
): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = jsonLines(await read());
    if (done(lines) || Date.now() > deadline) return lines;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

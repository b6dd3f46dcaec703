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

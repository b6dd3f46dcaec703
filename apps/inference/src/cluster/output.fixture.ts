// Test fixture of output.test.ts: a primary's stdout (fd 1, a pipe or a file, as the test
// chose) relaying two sources whose lines arrive cut at arbitrary places, plus its own lines.
import { PassThrough } from 'node:stream';
import { createPrimaryOutput } from './output.ts';

const LINES = 2000;
const output = createPrimaryOutput(1);
const sources = [new PassThrough(), new PassThrough()];
const relayed = sources.map((s) => output.relay(s));
output.lines.write(`${JSON.stringify({ message: 'first' })}\n`);
// Each source's lines, of varied lengths, as one buffer cut into pieces of 1..5000 bytes.
const texts = sources.map((_, source) =>
  Buffer.from(
    Array.from(
      { length: LINES },
      (_, n) => `${JSON.stringify({ source, n, pad: 'x'.repeat((n * 37) % 300) })}\n`,
    ).join(''),
  ),
);
const offsets = [0, 0];
let seed = 7;
const random = (max: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return 1 + (seed % max);
};
while (offsets.some((o, i) => o < (texts[i] as Buffer).length)) {
  for (const [i, source] of sources.entries()) {
    const text = texts[i] as Buffer;
    const from = offsets[i] as number;
    if (from >= text.length) continue;
    const to = Math.min(text.length, from + random(5000));
    source.write(text.subarray(from, to));
    offsets[i] = to;
  }
  await new Promise((resolve) => setImmediate(resolve));
}
for (const source of sources) source.end();
await Promise.all(relayed);
output.lines.write(`${JSON.stringify({ message: 'last' })}\n`);
await output.drained(10_000);
process.exit(0);

// Test fixture of stdout.test.ts: writes numbered lines through the line writer on fd 1 (a pipe
// or a file, as the test chose), reports on stderr how many were dropped, and exits without
// flushing: the exit must write the last block.
import { createLineWriter, STDOUT_MAX_WAITING_BYTES } from './stdout.ts';

const lines = Number(process.argv[2] ?? 5000);
const maxBufferBytes = Number(process.argv[3] ?? STDOUT_MAX_WAITING_BYTES);
const writer = createLineWriter({ blockBytes: 4096, maxBufferBytes });
let dropped = 0;
writer.on('drop', () => {
  dropped += 1;
});
for (let n = 0; n < lines; n += 1) {
  // Varied lengths, some longer than a block, some multi-byte.
  const pad = n % 500 === 7 ? 'é'.repeat(3000) : 'x'.repeat((n * 37) % 300);
  writer.write(`${JSON.stringify({ n, pad })}\n`);
  if (n % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
}
process.stderr.write(`dropped ${dropped}\n`);
// After the writer's own exit listener has written (or dropped) the last block.
process.on('exit', () => process.stderr.write(`dropped at exit ${dropped}\n`));
process.exit(0);

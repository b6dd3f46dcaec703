// The primary's stdout (WORKERS > 1): its own log lines and its workers', relayed. One writer
// for the container's stdout, fed whole lines only, so that lines never interleave; bytes are
// relayed as they came (no decoding) and dropped (and counted) past a bound when stdout does not
// keep up, like a single process's own log.
//
// Each relayed block is written at once from the event loop (`openByteSink`: a non-blocking
// stream on a pipe or socket, a container's stdout; synchronous writes on a file), one system
// call, no thread-pool hop (measured: the thread-pool writes of sonic-boom cost the primary
// about 3 futex calls per block).
import type { Readable } from 'node:stream';
import type { DestinationStream } from 'pino';
import { openByteSink, STDOUT_MAX_WAITING_BYTES } from '../stdout.ts';

/** Longest a buffered partial line may grow before it is written anyway. */
const MAX_PARTIAL_LINE = 1 << 20;
const NEWLINE = 0x0a;

/** The primary's stdout. */
export interface PrimaryOutput {
  /** The destination of the primary's own logger (pino). */
  readonly lines: DestinationStream & { flushSync(): void };
  /** Relays a worker's stdout in whole lines; resolves when the stream has ended. */
  relay(stream: Readable): Promise<void>;
  /** Calls `listener` for every line or block dropped because stdout did not keep up. */
  onDrop(listener: () => void): void;
  /**
   * Resolves once everything given so far is written (or dropped), or after `timeoutMs` (a
   * stdout that does not take it): before the primary exits, so that its last line is last.
   */
  drained(timeoutMs: number): Promise<void>;
}

/** Creates the primary's stdout writer on `fd` (1). */
export function createPrimaryOutput(fd = 1): PrimaryOutput {
  const sink = openByteSink(fd, STDOUT_MAX_WAITING_BYTES);
  const drops = new Set<() => void>();
  const write = (bytes: Uint8Array) => {
    if (!sink.write(bytes)) for (const listener of drops) listener();
  };
  const newline = Buffer.from('\n');
  return {
    lines: {
      write: (line: string) => write(Buffer.from(line)),
      // At exit: what a full pipe has not taken yet (the relayed blocks are written as they come).
      flushSync: () => sink.flushSync(1000),
    },
    relay(source) {
      let partial: Buffer | undefined;
      source.on('data', (chunk: Buffer) => {
        const end = chunk.lastIndexOf(NEWLINE);
        if (end === -1) {
          partial = partial ? Buffer.concat([partial, chunk]) : chunk;
          if (partial.length > MAX_PARTIAL_LINE) {
            write(Buffer.concat([partial, newline]));
            partial = undefined;
          }
          return;
        }
        const whole = chunk.subarray(0, end + 1);
        write(partial ? Buffer.concat([partial, whole]) : whole);
        partial = end + 1 < chunk.length ? chunk.subarray(end + 1) : undefined;
      });
      return new Promise((resolve) => {
        source.once('close', () => {
          if (partial) write(Buffer.concat([partial, newline]));
          resolve();
        });
      });
    },
    onDrop: (listener) => drops.add(listener),
    drained: (timeoutMs) => sink.drained(timeoutMs),
  };
}

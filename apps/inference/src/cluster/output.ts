// The primary's stdout (WORKERS > 1): its own log lines and its workers', relayed. One writer
// for the container's stdout, fed whole lines only, so that lines never interleave; bytes are
// relayed as they came (no decoding) and dropped (and counted) past a bound when stdout does not
// keep up, like a single process's own log.
//
// On a pipe or socket (a container's stdout) the writer is a non-blocking stream on fd 1: each
// relayed block is written at once from the event loop, one system call, no thread-pool hop
// (measured: the thread-pool writes of sonic-boom cost the primary about 3 futex calls per
// block). On a file, pino's sonic-boom writes synchronously (a file takes a write at once);
// on a terminal, asynchronously.
import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { type DestinationStream, pino } from 'pino';

/** Most bytes waiting for stdout before lines are dropped (as a single process's log). */
const MAX_BUFFERED = 4 * 1024 * 1024;
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

/** Where whole blocks of lines go: write at once or drop; know when all is written. */
interface Sink {
  /** Writes `bytes` (whole lines), or drops them when too much waits already. */
  write(bytes: Uint8Array): void;
  flushSync(): void;
  onDrop(listener: () => void): void;
  drained(timeoutMs: number): Promise<void>;
}

/** An amount on its way to stdout (writes or bytes); `drained` waits until it is back to 0. */
function outstanding() {
  let amount = 0;
  const waiting = new Set<() => void>();
  return {
    add(n: number) {
      amount += n;
    },
    settle(n: number) {
      amount -= n;
      if (amount > 0) return;
      for (const resolve of waiting) resolve();
      waiting.clear();
    },
    /** Resolves at 0 (at once when `gone`: nothing more can be written), or after `timeoutMs`. */
    drained(timeoutMs: number, gone = false): Promise<void> {
      if (amount <= 0 || gone) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          waiting.delete(done);
          resolve();
        }
        waiting.add(done);
      });
    },
  };
}

/** A pipe or socket on `fd`: a non-blocking stream, bounded by what it still holds. */
function streamSink(fd: number): Sink {
  const socket = new Socket({ fd, readable: false, writable: true });
  const drops = new Set<() => void>();
  // Writes not yet done (their callback not called).
  const unfinished = outstanding();
  const finished = () => unfinished.settle(1);
  socket.on('error', () => {
    // stdout closed (EPIPE): nothing can be written any more; drop from now on.
  });
  return {
    write(bytes) {
      if (socket.destroyed || socket.writableLength + bytes.length > MAX_BUFFERED) {
        for (const listener of drops) listener();
        return;
      }
      unfinished.add(1);
      socket.write(bytes, finished);
    },
    flushSync() {
      // Written as they come: what is left waits for the pipe, which no call can hurry.
    },
    onDrop(listener) {
      drops.add(listener);
    },
    drained: (timeoutMs) => unfinished.drained(timeoutMs, socket.destroyed),
  };
}

/** A file or terminal on `fd`: pino's sonic-boom (synchronous for a file), flushed at exit. */
function sonicSink(fd: number, sync: boolean): Sink {
  const stream = pino.destination({
    dest: fd,
    sync,
    contentMode: 'buffer',
    minLength: 0,
    maxLength: MAX_BUFFERED,
  });
  // Bytes given and not yet written or dropped.
  const pending = outstanding();
  stream.on('write', (n: number) => pending.settle(n));
  stream.on('drop', (data: Uint8Array) => pending.settle(data.length));
  return {
    write(bytes) {
      pending.add(bytes.length);
      stream.write(bytes as unknown as string);
    },
    flushSync() {
      try {
        stream.flushSync();
      } catch {
        // Nothing buffered, or stdout is gone: nothing more can be written now.
      }
    },
    onDrop(listener) {
      stream.on('drop', listener);
    },
    drained: (timeoutMs) => pending.drained(timeoutMs),
  };
}

/** What `fd` is: a pipe or socket, a regular file, or something else (a terminal). */
function kindOf(fd: number): 'stream' | 'file' | 'other' {
  try {
    const stat = fstatSync(fd);
    if (stat.isFIFO() || stat.isSocket()) return 'stream';
    return stat.isFile() ? 'file' : 'other';
  } catch {
    return 'other';
  }
}

/** Creates the primary's stdout writer on `fd` (1). */
export function createPrimaryOutput(fd = 1): PrimaryOutput {
  const kind = kindOf(fd);
  const sink = kind === 'stream' ? streamSink(fd) : sonicSink(fd, kind === 'file');
  const newline = Buffer.from('\n');
  return {
    lines: {
      write: (line: string) => sink.write(Buffer.from(line)),
      flushSync: () => sink.flushSync(),
    },
    relay(source) {
      let partial: Buffer | undefined;
      source.on('data', (chunk: Buffer) => {
        const end = chunk.lastIndexOf(NEWLINE);
        if (end === -1) {
          partial = partial ? Buffer.concat([partial, chunk]) : chunk;
          if (partial.length > MAX_PARTIAL_LINE) {
            sink.write(Buffer.concat([partial, newline]));
            partial = undefined;
          }
          return;
        }
        const whole = chunk.subarray(0, end + 1);
        sink.write(partial ? Buffer.concat([partial, whole]) : whole);
        partial = end + 1 < chunk.length ? chunk.subarray(end + 1) : undefined;
      });
      return new Promise((resolve) => {
        source.once('close', () => {
          if (partial) sink.write(Buffer.concat([partial, newline]));
          resolve();
        });
      });
    },
    onDrop: (listener) => sink.onDrop(listener),
    drained: (timeoutMs) => sink.drained(timeoutMs),
  };
}

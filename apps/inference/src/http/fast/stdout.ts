// The process's stdout for its log lines: whole lines encoded into blocks, each block written
// with one system call from the event loop (never libuv's thread pool). A pipe or socket is made
// non-blocking, so a full one answers at once and only what it did not take waits; a file takes
// every write. Past `maxBufferBytes` waiting, lines are dropped (a `drop` event), never queued.
import { EventEmitter } from 'node:events';
import { fstatSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';

/** Where blocks of whole lines go: written at once or queued, or dropped past a bound. */
export interface ByteSink {
  /** Writes `bytes` (whole lines); `false` when they were dropped instead (stdout is gone, or too much waits). */
  write(bytes: Uint8Array): boolean;
  /** Bytes given and not written yet. */
  pending(): number;
  /** Resolves once everything given so far is written, or after `timeoutMs` (a stdout that takes nothing). */
  drained(timeoutMs: number): Promise<void>;
  /** Writes what waits, blocking for at most `timeoutMs` (at exit: nothing else will). */
  flushSync(timeoutMs: number): void;
}

/** An amount on its way to stdout (bytes); `drained` waits until it is back to 0. */
function outstanding() {
  let amount = 0;
  const waiting = new Set<() => void>();
  return {
    get amount() {
      return amount;
    },
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

/** Most bytes waiting for stdout before lines are dropped. */
export const STDOUT_MAX_WAITING_BYTES = 4 * 1024 * 1024;

/** How long a full pipe is left alone before the queued bytes are tried again. */
const RETRY_MS = 5;

/** Blocks the thread for `ms` (only at exit, while a full pipe drains). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Sockets opened on pipes, kept (never closed: closing one would close the descriptor). */
const nonBlocking = new Map<number, Socket>();

/** Makes a pipe or socket on `fd` non-blocking (once per descriptor); leaves anything else as it is. */
function makeNonBlocking(fd: number): void {
  if (nonBlocking.has(fd)) return;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFIFO() && !stat.isSocket()) return;
  } catch {
    return; // Not open: the first write finds out and drops from then on.
  }
  const socket = new Socket({ fd, readable: false, writable: true });
  socket.on('error', () => {
    // Never written through: it is only here for its non-blocking descriptor.
  });
  nonBlocking.set(fd, socket);
}

/**
 * Writes to `fd` with synchronous calls that never block: on a pipe or socket the descriptor is
 * made non-blocking (a `net.Socket` opened on it does that, and is never written through), so
 * a full pipe answers `EAGAIN`; what it did not take waits in a queue, tried again every
 * {@link RETRY_MS} ms, up to `maxBytes`. A file takes every write at once. `onDropped` gets
 * what was queued when stdout went away (and will never be written).
 */
function openByteSink(
  fd: number,
  maxBytes: number,
  onDropped: (bytes: Uint8Array) => void = () => {},
): ByteSink {
  makeNonBlocking(fd);
  const queue: Uint8Array[] = [];
  const waiting = outstanding();
  let gone = false;
  let retry: NodeJS.Timeout | undefined;

  /** Writes the queue's head blocks until the pipe is full; `false` once nothing more can be written. */
  function writeQueued(): void {
    while (queue.length > 0 && !gone) {
      const head = queue[0] as Uint8Array;
      let n = 0;
      try {
        n = writeSync(fd, head);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        // Closed or unwritable (EPIPE, EBADF, ENOSPC): drop what waits and all that comes.
        gone = true;
        const dropped = queue.splice(0);
        waiting.settle(waiting.amount);
        for (const bytes of dropped) onDropped(bytes);
        return;
      }
      waiting.settle(n);
      if (n < head.length) queue[0] = head.subarray(n);
      else queue.shift();
    }
    if (queue.length > 0 && retry === undefined) {
      retry = setTimeout(() => {
        retry = undefined;
        writeQueued();
      }, RETRY_MS).unref();
    }
  }

  return {
    write(bytes) {
      if (gone || waiting.amount + bytes.length > maxBytes) return false;
      queue.push(bytes);
      waiting.add(bytes.length);
      // Taken: if stdout goes away before they are written, `onDropped` gets them.
      if (queue.length === 1) writeQueued();
      return true;
    },
    pending: () => waiting.amount,
    drained: (timeoutMs) => waiting.drained(timeoutMs, gone),
    flushSync(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        writeQueued();
        if (queue.length === 0 || gone || Date.now() >= deadline) return;
        sleepSync(1);
      }
    },
  };
}

/** Options of {@link createLineWriter}. */
export interface LineWriterOptions {
  /** The descriptor written. @default 1 (stdout) */
  readonly fd?: number;
  /** Size of a block: lines are written together once it is full. @default 16384 */
  readonly blockBytes?: number;
  /** Longest a line waits in a block at low traffic, in milliseconds. @default 50 */
  readonly flushIntervalMs?: number;
  /** Most bytes waiting for stdout (in the block and in the stream) before lines are dropped. @default 4194304 (4 MiB) */
  readonly maxBufferBytes?: number;
  /** Where blocks go. @default {@link openByteSink}(fd, maxBufferBytes) */
  readonly sink?: ByteSink;
}

/**
 * Whole lines to a byte sink, a block at a time. `write` takes a line ending in a newline (what
 * pino gives a destination); `drop` is emitted with each line dropped.
 */
export interface LineWriter extends EventEmitter {
  write(line: string): boolean;
  /** Writes the current block, and whatever waits for stdout, now (blocking for at most a second: at exit). */
  flushSync(): void;
  /** Writes the current block and calls `callback` once stdout has taken everything (or after 10 s). */
  flush(callback?: (error?: Error) => void): void;
}

/**
 * A destination for pino and for the prebuilt request lines: each line is encoded into the
 * current block (no buffer per line); a block is written when the next line would not fit, or
 * `flushIntervalMs` after its first line. A line bigger than a block is written on its own.
 */
export function createLineWriter(options: LineWriterOptions = {}): LineWriter {
  const {
    fd = 1,
    blockBytes = 16 * 1024,
    flushIntervalMs = 50,
    maxBufferBytes = STDOUT_MAX_WAITING_BYTES,
  } = options;
  const emitter = new EventEmitter();
  // A block holds whole lines: its lines are dropped one by one (a partly written block's first
  // line counts as dropped too: it will never be whole).
  const dropLines = (bytes: Uint8Array) => {
    for (let start = 0; start < bytes.length; ) {
      const end = bytes.indexOf(0x0a, start);
      const next = end < 0 ? bytes.length : end + 1;
      emitter.emit('drop', Buffer.from(bytes.buffer, bytes.byteOffset + start, next - start));
      start = next;
    }
  };
  const sink = options.sink ?? openByteSink(fd, maxBufferBytes, dropLines);
  let block = Buffer.allocUnsafeSlow(blockBytes);
  let used = 0;
  let timer: NodeJS.Timeout | undefined;

  function writeBlock(): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (used === 0) return;
    // The sink may hold on to the bytes until the pipe takes them: the next lines go into a new block.
    const bytes = block.subarray(0, used);
    block = Buffer.allocUnsafeSlow(blockBytes);
    used = 0;
    // Refused only when stdout is gone.
    if (!sink.write(bytes)) dropLines(bytes);
  }

  function write(line: string): boolean {
    // Bounded by UTF-16 units (the bytes of an ASCII line); UTF-8 takes at most 3 bytes per
    // unit, so the exact length is only counted when a line may not fit in the block.
    if (sink.pending() + used + line.length > maxBufferBytes) {
      emitter.emit('drop', line);
      return true;
    }
    let size = line.length * 3;
    if (size > blockBytes - used) {
      size = Buffer.byteLength(line);
      if (size > blockBytes - used) writeBlock();
    }
    if (size > blockBytes) {
      if (!sink.write(Buffer.from(line))) emitter.emit('drop', line);
      return true;
    }
    used += block.write(line, used);
    timer ??= setTimeout(writeBlock, flushIntervalMs).unref();
    return true;
  }

  const writer = Object.assign(emitter, {
    write,
    flushSync() {
      writeBlock();
      sink.flushSync(1000);
    },
    flush(callback?: (error?: Error) => void) {
      writeBlock();
      void sink.drained(10_000).then(() => callback?.());
    },
  });
  openWriters.add(new WeakRef(writer));
  return writer;
}

// Writers whose last block is written when the process exits (`process.exit` after a fatal
// line included): one listener for all of them.
const openWriters = new Set<WeakRef<LineWriter>>();
process.once('exit', () => {
  for (const ref of openWriters) ref.deref()?.flushSync();
});

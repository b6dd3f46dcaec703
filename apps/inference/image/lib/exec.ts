// Runs a command to completion and collects its output: the one way the image tests call
// podman, pnpm, tar and the image scripts.
import { spawn } from 'node:child_process';

/** How a command ended and what it printed. */
export interface ExecResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link exec}. */
export interface ExecOptions {
  /** @default the current directory */
  readonly cwd?: string;
  /** The whole environment of the command. @default the test's environment */
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the command (SIGKILL) after this many milliseconds. @default no limit */
  readonly timeoutMs?: number;
  /** Also stream the command's output to the test's stderr (long builds). @default false */
  readonly echo?: boolean;
}

/** Runs `command args` and resolves with its exit status and output (never rejects on failure). */
export function exec(
  command: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const { cwd, env, timeoutMs, echo = false } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      if (echo) process.stderr.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err.push(chunk);
      if (echo) process.stderr.write(chunk);
    });
    const timer =
      timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Like {@link exec}, but rejects unless the command exits 0, quoting the end of its output. */
export async function execOk(
  command: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const result = await exec(command, args, options);
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(
      `\`${[command, ...args].join(' ')}\` exited with ${result.code ?? result.signal}:\n${tail}`,
    );
  }
  return result;
}

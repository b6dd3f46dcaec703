// The image builders `modelship build` drives (docker or podman: the same command lines),
// run with their output forwarded as progress.
import { spawn, spawnSync } from 'node:child_process';
import { failure } from '../errors.ts';
import { type CommandIo, onPath } from '../io.ts';

/** The engines `build` drives; both take the same build command line. */
export const ENGINES = ['docker', 'podman'] as const;
export type Engine = (typeof ENGINES)[number];

/**
 * The engine asked for, or docker if installed, else podman.
 *
 * @throws {CliError} (exit 1) when that engine is not on PATH.
 */
export function chooseEngine(asked: Engine | undefined): Engine {
  const engine = asked ?? (onPath('docker') ? 'docker' : 'podman');
  if (!onPath(engine)) {
    throw failure(
      `${engine} is not installed${asked ? '' : ' (nor docker)'}: install docker or podman, or choose one with --engine`,
    );
  }
  return engine;
}

/** Runs the engine, its output going to the command's progress stream; resolves its exit code. */
export function runEngine(
  engine: Engine,
  args: readonly string[],
  cwd: string,
  io: CommandIo,
): Promise<number> {
  io.err(`$ ${engine} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(engine, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    const forward = (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) io.err(line);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending) io.err(pending);
      resolve(code ?? 1);
    });
  });
}

/**
 * Runs the engine and throws unless it exits 0.
 *
 * @throws {CliError} (exit 1) naming the step, the engine's output being above.
 */
export async function runEngineOk(
  engine: Engine,
  args: readonly string[],
  cwd: string,
  io: CommandIo,
): Promise<void> {
  const code = await runEngine(engine, args, cwd, io);
  if (code !== 0) {
    throw failure(`${engine} ${args[0]} failed (exit ${code}); its output is above`);
  }
}

/**
 * The `os/architecture` of a local image (e.g. `linux/amd64`), or undefined when the engine
 * has no image of that reference.
 */
export function localImagePlatform(engine: Engine, reference: string): string | undefined {
  const result = spawnSync(
    engine,
    ['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', reference],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return result.status === 0 ? result.stdout.trim().split('\n')[0] : undefined;
}

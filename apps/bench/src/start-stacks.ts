import { startFastapiPeer, startPeer } from './peers.ts';
import type { ProgressSink } from './runner.ts';
import {
  type Running,
  startConstantServer,
  startService,
  startServiceConstant,
  withShippedNginx,
} from './stacks.ts';
import type { ServerId, Servers } from './targets.ts';

/** What the stacks are started with. */
export interface StackContext {
  /** Scratch directory for logs, nginx prefixes and models. */
  readonly workDir: string;
  /** The model ours, the service-stack ceiling and the FastAPI peer serve. */
  readonly modelDir: string;
  /** The generated heavy model of the batching comparison. */
  readonly heavyDir: string;
  /** The Flask peer's pickled pipeline. */
  readonly peerModel: string;
  /** Another build of the service (`--service`); the repository's when undefined. */
  readonly serviceEntry?: string;
  /** A one-record body the peers' readiness checks post. */
  readonly probeBody: string;
}

/** Started servers, and one call that stops them all. */
export interface StartedStacks {
  readonly servers: Servers;
  stop(): Promise<void>;
}

/**
 * Starts the servers `needed` (and those they sit on: ours behind nginx needs ours), one
 * after the other, in a fixed order. On a failure the ones already started are stopped.
 */
export async function startStacks(
  needed: ReadonlySet<ServerId>,
  context: StackContext,
  progress: ProgressSink,
): Promise<StartedStacks> {
  const { workDir, modelDir } = context;
  const entry = context.serviceEntry ? { entry: context.serviceEntry } : {};
  const servers: Partial<Record<ServerId, Running>> = {};
  const started: Running[] = [];
  const stop = async (): Promise<void> => {
    for (const r of [...started].reverse()) await r.stop().catch(() => {});
  };
  const start = async (id: ServerId, run: () => Promise<Running>): Promise<Running> => {
    const running = await run();
    started.push(running);
    servers[id] = running;
    return running;
  };
  const want = (...ids: ServerId[]): boolean => ids.some((id) => needed.has(id));
  progress(`starting ${[...needed].join(', ')} ...`);
  try {
    if (want('ours', 'ours-nginx')) {
      const service = await start('ours', () =>
        startService({ workDir, name: 'ours', modelDir, ...entry }),
      );
      if (want('ours-nginx')) {
        await start('ours-nginx', () => withShippedNginx(service, { workDir, name: 'ours-nginx' }));
      }
    }
    if (want('peer')) {
      await start('peer', () =>
        startPeer({
          workDir,
          name: 'peer',
          modelFile: context.peerModel,
          probeBody: context.probeBody,
        }),
      );
    }
    if (want('fastapi')) {
      await start('fastapi', () =>
        startFastapiPeer({ workDir, name: 'fastapi', modelDir, probeBody: context.probeBody }),
      );
    }
    if (want('ceiling-service')) {
      const constant = await startServiceConstant({ workDir, name: 'service-constant', modelDir });
      started.push(constant);
      await start('ceiling-service', () =>
        withShippedNginx(constant, { workDir, name: 'service-constant-nginx' }),
      );
    }
    if (want('ceiling-hono')) {
      const bare = await startConstantServer({ workDir, name: 'bare-hono' });
      started.push(bare);
      await start('ceiling-hono', () =>
        withShippedNginx(bare, { workDir, name: 'bare-hono-nginx' }),
      );
    }
    for (const [id, batching] of [
      ['heavy-on', 'on'],
      ['heavy-off', 'off'],
    ] as const) {
      if (!want(id)) continue;
      await start(id, () =>
        startService({ workDir, name: id, modelDir: context.heavyDir, batching, ...entry }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { servers, stop };
}

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type Managed, startProcess, waitForHttp } from '@modelship/testkit';
import { inheritedEnv } from './config.ts';
import { peerNginxConf, startNginx } from './nginx.ts';
import { binaries, fastapiPeerDir, fastapiPython, peersDir } from './paths.ts';
import { type Running, type StackOptions, stopAllOf } from './stacks.ts';

const execFileAsync = promisify(execFile);

/** How to run one peer's Gunicorn: interpreter, config, app, and where it answers. */
interface GunicornPeer {
  readonly python: string;
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** The prediction path that the readiness check posts to. */
  readonly path: string;
}

/**
 * Starts Gunicorn (`gunicorn.conf.py` in the peer's directory, `app:app`), waits for its first
 * prediction, then puts the tutorial-style nginx (`peers/nginx.conf`) in front: both peers run
 * behind the same proxy configuration.
 */
async function startGunicornPeer(
  peer: GunicornPeer,
  options: StackOptions & { readonly probeBody: string },
): Promise<Running> {
  const gunicornPort = await freePort();
  const gunicorn = startProcess({
    name: `${options.name}-gunicorn`,
    command: peer.python,
    args: ['-m', 'gunicorn', '-c', join(peer.dir, 'gunicorn.conf.py'), 'app:app'],
    env: { ...inheritedEnv(), ...peer.env, PEER_BIND: `127.0.0.1:${gunicornPort}` },
    cwd: peer.dir,
    logDir: options.workDir,
  });
  let nginx: Managed | undefined;
  try {
    const readyAt = await waitForHttp({
      url: `http://127.0.0.1:${gunicornPort}${peer.path}`,
      method: 'POST',
      body: options.probeBody,
      process: gunicorn,
    });
    const listenPort = await freePort();
    const template = await readFile(join(peersDir, 'nginx.conf'), 'utf8');
    nginx = await startNginx({
      name: `${options.name}-nginx`,
      conf: peerNginxConf(template, listenPort, gunicornPort),
      workDir: options.workDir,
    });
    const url = `http://127.0.0.1:${listenPort}`;
    await waitForHttp({
      url: `${url}${peer.path}`,
      method: 'POST',
      body: options.probeBody,
      process: nginx,
    });
    const proxy = nginx;
    return {
      url,
      app: [gunicorn],
      proxy,
      directUrl: `http://127.0.0.1:${gunicornPort}`,
      readyMs: readyAt - gunicorn.startedAt,
      stop: () => stopAllOf(proxy, gunicorn),
    };
  } catch (error) {
    await stopAllOf(nginx, gunicorn);
    throw error;
  }
}

/** Options for {@link startPeer}. */
export interface PeerOptions extends StackOptions {
  /** The pickled scikit-learn pipeline written by `peers/train.py`. */
  readonly modelFile: string;
  /** A request body the readiness check posts to `/predict_api`. */
  readonly probeBody: string;
}

/**
 * Starts the stack we replace: Gunicorn (the tutorial's workers/threads) running the Flask
 * app, waits for its first prediction, then puts the tutorial-style nginx in front.
 */
export function startPeer(options: PeerOptions): Promise<Running> {
  return startGunicornPeer(
    {
      python: binaries.python,
      dir: peersDir,
      env: { PEER_MODEL: options.modelFile },
      path: '/predict_api',
    },
    options,
  );
}

/** Trains the peer's pipeline with `peers/train.py` (about a second) into `modelFile`. */
export async function trainPeer(csv: string, modelFile: string): Promise<void> {
  await execFileAsync(binaries.python, [join(peersDir, 'train.py'), csv, modelFile], {
    cwd: peersDir,
    env: inheritedEnv(),
  });
}

/** Options for {@link startFastapiPeer}. */
export interface FastapiPeerOptions extends StackOptions {
  /** The model directory it serves (`model.onnx`, `schema.json`): the same as ours. */
  readonly modelDir: string;
  /** A request body the readiness check posts to `/predict`. */
  readonly probeBody: string;
}

/**
 * Starts the peer a speed-minded Python user would pick: Gunicorn with uvicorn workers
 * (2 × cores + 1) running `peers/fastapi/app.py` (FastAPI, pydantic validation generated from
 * the model's schema.json, onnxruntime with one intra-op thread per worker) on our model
 * file, from the venv `peers/fastapi/setup-venv.sh` creates; the same nginx as the Flask peer.
 */
export function startFastapiPeer(options: FastapiPeerOptions): Promise<Running> {
  return startGunicornPeer(
    {
      python: fastapiPython,
      dir: fastapiPeerDir,
      env: { MODEL_DIR: options.modelDir },
      path: '/predict',
    },
    options,
  );
}

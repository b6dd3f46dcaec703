import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { cores } from './config.ts';
import { binaries, fastapiPython } from './paths.ts';

const run = promisify(execFile);

/** The machine and software versions a result was measured with. */
export interface Machine {
  readonly date: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  /** 1-minute load average when the run started (others using the machine show here). */
  readonly loadAverage: number;
  readonly versions: Readonly<Record<string, string>>;
}

async function output(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args);
    return `${stdout}${stderr}`.trim();
  } catch (error) {
    // wrk --version exits 1 after printing its version.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const text = `${stdout}${stderr}`.trim();
    return text || `unavailable (${(error as Error).message.split('\n')[0]})`;
  }
}

async function osName(): Promise<string> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Describes this machine: CPU, cores, kernel, and the versions of every component. */
export async function describeMachine(): Promise<Machine> {
  const require = createRequire(import.meta.url);
  const ortVersion = (require('onnxruntime-node/package.json') as { version: string }).version;
  const python = await output(binaries.python, [
    '-c',
    'import sys, flask, gunicorn, sklearn, pandas, numpy; print(sys.version.split()[0], flask.__version__, gunicorn.__version__, sklearn.__version__, pandas.__version__, numpy.__version__)',
  ]);
  const [pythonVersion, flask, gunicorn, sklearn, pandas, numpy] = python.split(' ');
  const fastapiPeer = await output(fastapiPython, [
    '-c',
    'import sys, fastapi, pydantic, uvicorn, uvloop, httptools, gunicorn, onnxruntime, numpy; print(sys.version.split()[0], fastapi.__version__, pydantic.VERSION, uvicorn.__version__, uvloop.__version__, httptools.__version__, gunicorn.__version__, onnxruntime.__version__, numpy.__version__)',
  ]);
  const fastapiVersions = fastapiPeer.split(' ');
  const peerVersion = (i: number): string =>
    fastapiVersions.length === 9 ? (fastapiVersions[i] ?? 'unknown') : 'unavailable';
  const nginx = await output(binaries.nginx, ['-v']);
  const wrk = await output(binaries.wrk, ['--version']);
  return {
    date: new Date().toISOString(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cores(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    versions: {
      os: await osName(),
      node: process.version,
      'onnxruntime-node': ortVersion,
      nginx: nginx.replace(/^nginx version: /, ''),
      wrk: wrk.split('\n')[0]?.replace(/ Copyright.*$/, '') ?? 'unknown',
      python: pythonVersion ?? python,
      flask: flask ?? 'unknown',
      gunicorn: gunicorn ?? 'unknown',
      'scikit-learn': sklearn ?? 'unknown',
      pandas: pandas ?? 'unknown',
      numpy: numpy ?? 'unknown',
      'python (FastAPI peer venv)': peerVersion(0),
      fastapi: peerVersion(1),
      pydantic: peerVersion(2),
      uvicorn: peerVersion(3),
      uvloop: peerVersion(4),
      httptools: peerVersion(5),
      'gunicorn (FastAPI peer)': peerVersion(6),
      'onnxruntime (Python)': peerVersion(7),
      'numpy (FastAPI peer)': peerVersion(8),
    },
  };
}

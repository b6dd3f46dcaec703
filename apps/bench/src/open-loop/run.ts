import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { benchDir } from '../paths.ts';
import type { OpenLoopOptions, OpenLoopResult } from './client.ts';
import { RESULT_MARKER } from './main.ts';

const run = promisify(execFile);

/** Runs the open-loop generator in a process of its own and returns its result. */
export async function runOpenLoopProcess(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(benchDir, 'src/open-loop/main.ts'), JSON.stringify(options)],
    { cwd: benchDir, maxBuffer: 1 << 20 },
  );
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (!line) throw new Error(`the open-loop generator printed no result:\n${stdout}`);
  return JSON.parse(line.slice(RESULT_MARKER.length)) as OpenLoopResult;
}

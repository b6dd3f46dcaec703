/**
 * `pnpm bench`: the full side-by-side benchmark (10-20 minutes), progress on stderr, results
 * in `results/latest.{md,json,svg}`. `pnpm bench --smoke` is the few-second version.
 */

import { stopAll } from '@modelship/testkit';
import { runBenchmark } from './bench.ts';
import { commandProgress } from './cli-progress.ts';
import { OptionsError, parseOptions } from './config.ts';

const progress = commandProgress();

try {
  const options = parseOptions(process.argv.slice(2));
  const output = await runBenchmark(options, progress);
  progress(`wrote ${output.markdownFile}, ${output.jsonFile}, ${output.chartFile}`);
  if (options.mode === 'smoke') {
    process.stdout.write(
      'Smoke run (1-second runs, one concurrency): the floors below are not meaningful.\n',
    );
  }
  for (const floor of output.report.floors) {
    const verdict = floor.pass === null ? 'NOT MEASURED' : floor.pass ? 'PASS' : 'FAIL';
    const measured = floor.measured === null ? 'n/a' : `${floor.measured.toFixed(2)}×`;
    process.stdout.write(
      `${verdict.padEnd(12)} ${floor.name}${floor.openLoopShare === undefined ? ` at c=${floor.connections}` : ''}: ${measured} (floor ${Number(floor.threshold.toPrecision(3))}×; ${floor.detail})\n`,
    );
  }
} catch (error) {
  progress(
    error instanceof OptionsError ? error.message : ((error as Error).stack ?? String(error)),
  );
  await stopAll();
  process.exitCode = 1;
}

import { type BenchOptions, cores } from './config.ts';
import { waitForQuiet } from './quiet.ts';
import { type Measurement, type ProgressSink, probeTargets, runMatrix } from './runner.ts';
import type { Target } from './targets.ts';

/**
 * Probes every target (one request each, checked), then measures them under load: the main
 * targets at `options.concurrencies`, then the batching pair at `options.batchingConcurrencies`,
 * each phase warmed up and interleaved (see {@link runMatrix}).
 */
export async function measureTargets(
  targets: readonly Target[],
  options: BenchOptions,
  scratchDir: string,
  progress: ProgressSink,
): Promise<Measurement[]> {
  await probeTargets(targets);
  progress(`all ${targets.length} targets answer; measuring ...`);
  const common = {
    runs: options.runs,
    durationS: options.durationS,
    warmupS: options.warmupS,
    wrkThreads: options.wrkThreads,
    scratchDir,
    progress,
    ...(options.quietCores > 0 && {
      settle: () => waitForQuiet({ cores: cores(), maxBusyCores: options.quietCores }),
    }),
  };
  return [
    ...(await runMatrix({
      ...common,
      phase: 'load',
      targets: targets.filter((t) => t.group === 'main'),
      concurrencies: options.concurrencies,
    })),
    ...(await runMatrix({
      ...common,
      phase: 'batching',
      targets: targets.filter((t) => t.group === 'batching'),
      concurrencies: options.batchingConcurrencies,
    })),
  ];
}

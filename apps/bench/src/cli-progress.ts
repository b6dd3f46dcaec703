import { stopAll } from '@modelship/testkit';

/**
 * A command's progress reporter: each line on stderr behind `[mm:ss]` since the start. SIGINT
 * and SIGTERM stop every server the command started before it exits.
 */
export function commandProgress(): (line: string) => void {
  const started = performance.now();
  const progress = (line: string): void => {
    const s = Math.round((performance.now() - started) / 1000);
    process.stderr.write(
      `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}\n`,
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping the servers`);
      void stopAll().finally(() => process.exit(130));
    });
  }
  return progress;
}

/**
 * The open-loop generator as a process of its own (so that its work never shares the event
 * loop of whatever started it): `tsx src/open-loop/main.ts '<OpenLoopOptions as JSON>'` prints
 * one line `OPEN_LOOP_RESULT <OpenLoopResult as JSON>`.
 */
import { type OpenLoopOptions, runOpenLoop } from './client.ts';

/** Marker of the result line. */
export const RESULT_MARKER = 'OPEN_LOOP_RESULT ';

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = JSON.parse(process.argv[2] ?? '{}') as OpenLoopOptions;
  const result = await runOpenLoop(options);
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
}

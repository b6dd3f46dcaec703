/**
 * `pnpm plan --rps N [--p99-ms L] [--env gke] [--write]`: one pod's measured capacity, and the
 * replicas, HPA settings and resources for N req/s. Progress on stderr, the plan on stdout.
 * Exit 0 done, 1 failed, 2 usage.
 */

import { stopAll } from '@modelship/testkit';
import { commandProgress } from './cli-progress.ts';
import { PLAN_HELP, parsePlanArgs, UsageError } from './plan/args.ts';
import { PlanError } from './plan/arithmetic.ts';
import { runPlan } from './plan/plan.ts';
import { startPod } from './plan/pod.ts';
import { formatPlan } from './plan/report.ts';

const progress = commandProgress();

try {
  const args = parsePlanArgs(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(PLAN_HELP);
  } else {
    const result = await runPlan(args, { startPod, progress });
    process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : formatPlan(result));
  }
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`pnpm plan: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(
      `pnpm plan: ${error instanceof PlanError ? error.message : ((error as Error).stack ?? String(error))}\n`,
    );
    await stopAll();
    process.exitCode = 1;
  }
}

import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failure } from './errors.ts';

/**
 * apps/inference of the repository checkout the command runs from: `build` uses its Dockerfile
 * and `serve` its source. The installed command has no checkout: it says so.
 *
 * @throws {CliError} (exit 1) outside a checkout.
 */
export function inferenceCheckout(command: string): string {
  try {
    return dirname(fileURLToPath(import.meta.resolve('@modelship/inference/package.json')));
  } catch {
    throw failure(
      `${command} needs a checkout of the modelship repository (apps/inference) for now: run \`pnpm modelship ${command}\` from one`,
    );
  }
}

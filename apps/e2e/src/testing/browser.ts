import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { e2eConfig } from './pods.ts';

/** Where screenshots go: `apps/e2e/test-results/` (CI keeps the folder as an artifact). */
export const artifactsDir = fileURLToPath(new URL('../../test-results/', import.meta.url));

/**
 * Flags for Debian's Chromium in a container without a display, a sandbox-capable kernel or a
 * network: headless, and none of its background traffic.
 */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
] as const;

/** Launches the system Chromium (never a downloaded browser) through playwright-core. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(artifactsDir, { recursive: true });
  return chromium.launch({ executablePath: e2eConfig.chromiumPath, args: [...chromiumArgs] });
}

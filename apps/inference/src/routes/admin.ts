import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import type { ReloadOutcome } from '../reload/slot.ts';

/**
 * A refusal as the caller may read it: the source's directory named `MODEL_DIR`, and no word
 * of an unreadable `current` (the refusal's log line keeps the full reason).
 */
function publicRefusal(outcome: ReloadOutcome, root: string): ReloadOutcome {
  if (outcome.outcome !== 'refused' || !outcome.reason.includes(root)) return outcome;
  if (outcome.version === undefined) {
    return { ...outcome, reason: '`current` does not name a version subdirectory (see the log).' };
  }
  return { ...outcome, reason: outcome.reason.split(root).join('MODEL_DIR') };
}

/**
 * `POST /admin/reload`: reload a versioned model source now (read `current`; a new name is
 * loaded, checked and switched to). Served on the operational listener only.
 * 200 `{ outcome: "switched" | "unchanged", version, model }`; 409 with `outcome: "refused"`
 * and the reason (the served version stays), or `"not_versioned"` for a plain model directory.
 */
export function adminRoutes(deps: Pick<AppDeps, 'config' | 'models'>): Hono<AppEnv> {
  const { config, models } = deps;
  const app = new Hono<AppEnv>();
  app.post(OPERATIONAL_ROUTES.reload, async (c) => {
    const result = publicRefusal(await models.reload(), config.MODEL_DIR);
    const model = models.current.model.identity;
    const ok = result.outcome === 'switched' || result.outcome === 'unchanged';
    c.header('Cache-Control', 'no-store');
    return c.json({ ...result, model }, ok ? 200 : 409);
  });
  return app;
}

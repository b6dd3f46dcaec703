// A flood of batches cannot lock single records out of the batching queue: admission is by
// rows with a per-request share (batcher.ts `admits`), so after any batch there is room for a
// single record. Outcomes are counted, never timed.
import type { FeatureRecord } from '@modelship/feature-schema';
import { insuranceModelDir } from '@modelship/insurance-model';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { type Listening, listen } from './lifecycle/listen.ts';
import { type Service, startService } from './service.ts';
import {
  distinctRecord,
  fakeDeps,
  fakeInsurancePrediction,
  memoryLogger,
} from './testing/fake-deps.ts';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function predict(port: number, body: unknown): Promise<number> {
  return fetch(`http://127.0.0.1:${port}/predict`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });
}

const batchOf = (rows: number, from = 0) => ({
  instances: Array.from({ length: rows }, (_, i) => distinctRecord(from + i)),
});

describe('a full queue of batches', () => {
  it('still admits single records (a gated model, real HTTP)', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let runs = 0;
    const { deps } = fakeDeps({
      env: { MAX_QUEUE: '40', MAX_BATCH: '10' },
      run: async (records: readonly FeatureRecord[]) => {
        runs += 1;
        await gate;
        return records.map(fakeInsurancePrediction);
      },
    });
    const server: Listening = await listen(createApp(deps), { port: 0, host: '127.0.0.1' });
    servers.push({
      close: () =>
        new Promise<void>((resolve) => {
          server.server.closeAllConnections();
          server.server.close(() => resolve());
        }),
    });
    const queued = async () => (await deps.metrics.queueRows.get()).values[0]?.value ?? 0;
    const until = async (check: () => Promise<boolean> | boolean) => {
      while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 5));
    };

    // One batch runs (held at the gate), then twelve more try to queue behind it.
    const batches: Promise<number>[] = [predict(server.port, batchOf(10))];
    await until(() => runs === 1);
    let refused = 0;
    for (let i = 1; i <= 12; i++) {
      batches.push(
        predict(server.port, batchOf(10, i * 10)).then((status) => {
          if (status === 503) refused += 1;
          return status;
        }),
      );
    }
    await until(async () => (await queued()) / 10 + refused === 12);
    expect(refused).toBeGreaterThan(0);

    // Five single records: each is queued, or refused at once (and then settles).
    let settled = 0;
    const singles = Array.from({ length: 5 }, (_, i) =>
      predict(server.port, distinctRecord(500 + i)).finally(() => {
        settled += 1;
      }),
    );
    const batchRows = (12 - refused) * 10;
    await until(async () => (await queued()) - batchRows + settled === 5);
    open();
    expect(await Promise.all(singles)).toEqual([200, 200, 200, 200, 200]);
    expect((await Promise.all(batches)).filter((s) => s === 200)).toHaveLength(13 - refused);
  });

  it('the bundled model under 24 connections of 1,000-row batches: every single record is answered', {
    timeout: 120_000,
  }, async () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MODEL_DIR: insuranceModelDir,
      MAX_QUEUE: '3000',
      LOG_LEVEL: 'warn',
    });
    const service: Service = await startService({
      config,
      logger: memoryLogger().logger,
      exit: () => {},
    });
    servers.push({ close: async () => void (await service.shutdown.begin('test done')) });
    const port = service.port;
    const batch = batchOf(1000);
    const outcomes = { batch200: 0, batch503: 0 };
    let flooding = true;
    const flood = Array.from({ length: 24 }, async () => {
      while (flooding) {
        const status = await predict(port, batch);
        if (status === 200) outcomes.batch200 += 1;
        else if (status === 503) outcomes.batch503 += 1;
        else throw new Error(`a batch got ${status}`);
      }
    });
    // Singles one after another while the flood runs, until the flood has been refused often.
    const singles: number[] = [];
    try {
      while (singles.length < 10 || outcomes.batch503 < 24) {
        singles.push(await predict(port, distinctRecord(singles.length)));
      }
    } finally {
      flooding = false;
      await Promise.allSettled(flood);
    }
    await Promise.all(flood); // no batch got anything but 200 or 503
    expect(outcomes.batch503).toBeGreaterThanOrEqual(24);
    expect(outcomes.batch200).toBeGreaterThan(0);
    expect(singles.filter((s) => s !== 200)).toEqual([]);
  });
});

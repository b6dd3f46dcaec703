import { hashApiKey } from '@modelship/contract';
import { insuranceSchema } from '@modelship/insurance-model';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startService } from '../service.ts';
import { distinctRecord, loopbackConfig, memoryLogger } from '../testing/fake-deps.ts';
import { secretVolume } from '../testing/secret-volume.ts';

// Rotation under load, through the real service (real onnxruntime, both the fast lane and
// Hono): the key file is a Secret volume swapped as the kubelet swaps it.

const oldKey = 'ms_old-0123456789abcdefghijklmnopqrstuvwxyzABCD';
const newKey = 'ms_new-0123456789abcdefghijklmnopqrstuvwxyzABCD';
const line = (name: string, key: string) => `${name} ${hashApiKey(key)}\n`;

describe('rotating API keys without a restart', () => {
  const volume = secretVolume('keys', line('partner', oldKey));
  const { logger, lines } = memoryLogger();
  let service: Service;
  let base: string;
  beforeAll(async () => {
    const dir = await writeModelDir(insuranceSchema, linearModel(insuranceSchema).bytes);
    const config = loopbackConfig({
      MODEL_DIR: dir,
      API_KEYS_FILE: volume.file,
      API_KEYS_POLL_INTERVAL: '0.2',
    });
    service = await startService({ config, logger, exit: () => {} });
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => {
    await service.shutdown.begin('test done');
  });

  /** One prediction with `key`: by the lane (`/predict`) or by Hono (a query string). */
  const predict = async (key: string, i: number) => {
    const path = i % 2 === 0 ? '/predict' : '/predict?via=hono';
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
      body: JSON.stringify(distinctRecord(i)),
    });
    await response.arrayBuffer();
    return response.status;
  };

  /** Resolves once `key` is answered `status` (the poll picked the new file up). */
  const until = async (key: string, status: number) => {
    for (let i = 0; i < 200; i += 1) {
      if ((await predict(key, i)) === status) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the key never answered ${status}`);
  };

  it('adds a key, moves the clients to it, removes the old one: no valid request fails', async () => {
    let key = oldKey;
    let running = true;
    const statuses = new Map<number, number>();
    const worker = async (w: number) => {
      for (let i = w; running; i += 4) {
        const status = await predict(key, i);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    const workers = [0, 1, 2, 3].map(worker);

    volume.write(line('partner', oldKey) + line('partner-next', newKey));
    await until(newKey, 200);
    key = newKey;
    volume.write(line('partner-next', newKey));
    await until(oldKey, 401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(workers);

    expect([...statuses.keys()]).toEqual([200]);
    expect(statuses.get(200)).toBeGreaterThan(20);
    expect(await predict(oldKey, 0)).toBe(401);
    expect(await predict(oldKey, 1)).toBe(401);
    expect(await predict(newKey, 0)).toBe(200);
    const reloads = lines.filter((l) => String(l.message).startsWith('API keys reloaded'));
    expect(reloads.map((l) => l.clients)).toEqual([['partner', 'partner-next'], ['partner-next']]);
    const clients = new Set(lines.map((l) => l.client).filter(Boolean));
    expect([...clients].sort()).toEqual(['partner', 'partner-next']);
  });

  it('revokes every key by a Secret without clients, then takes a new one, without a restart', async () => {
    volume.write('# every key revoked\n');
    await until(newKey, 401);
    for (let i = 0; i < 4; i += 1) {
      expect(await predict(newKey, i)).toBe(401);
      expect(await predict(oldKey, i)).toBe(401);
    }
    volume.write(line('partner-next', newKey));
    await until(newKey, 200);
    expect(await predict(newKey, 1)).toBe(200);
    const reloads = lines.filter((l) => String(l.message).startsWith('API keys reloaded'));
    expect(reloads.slice(-2).map((l) => [l.severity, l.clients])).toEqual([
      ['WARNING', []],
      ['INFO', ['partner-next']],
    ]);
  });

  it('serves /metrics on the operational listener without a key, with the per-client counts', async () => {
    const text = await (await fetch(`http://127.0.0.1:${service.ops?.port}/metrics`)).text();
    expect(text).toMatch(/modelship_client_requests_total\{client="partner",status="200"\} [1-9]/);
    expect(text).toMatch(
      /modelship_client_requests_total\{client="partner-next",status="200"\} [1-9]/,
    );
    expect(text).not.toContain(oldKey);
  });
});

describe('starting with a key file without clients', () => {
  it('starts, answers 401 on both paths, and takes the first key added', async () => {
    const volume = secretVolume('keys', '# no client yet\n');
    const { logger, lines } = memoryLogger();
    const dir = await writeModelDir(insuranceSchema, linearModel(insuranceSchema).bytes);
    const config = loopbackConfig({
      MODEL_DIR: dir,
      API_KEYS_FILE: volume.file,
      API_KEYS_POLL_INTERVAL: '0.2',
    });
    const service = await startService({ config, logger, exit: () => {} });
    try {
      const predict = async (path: string) => {
        const response = await fetch(`http://127.0.0.1:${service.port}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-API-Key': oldKey },
          body: JSON.stringify(distinctRecord(1)),
        });
        await response.arrayBuffer();
        return response.status;
      };
      expect([await predict('/predict'), await predict('/predict?via=hono')]).toEqual([401, 401]);
      expect(lines.find((l) => String(l.message).startsWith('API keys on'))).toMatchObject({
        severity: 'WARNING',
        message: expect.stringMatching(/0 clients: every keyed route answers 401/),
      });
      volume.write(line('partner', oldKey));
      for (let i = 0; i < 200 && (await predict('/predict')) !== 200; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect([await predict('/predict'), await predict('/predict?via=hono')]).toEqual([200, 200]);
    } finally {
      await service.shutdown.begin('test done');
    }
  });
});

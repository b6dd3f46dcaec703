// The real service as a child process whose stdout nobody reads: payload logging at 1 must
// neither stall requests nor queue lines without bound; it drops them and counts the drops.
import { insuranceModelDir } from '@modelship/insurance-model';
import { afterEach, describe, expect, it } from 'vitest';
import { validRecord } from '../testing/fake-deps.ts';
import { type SpawnedService, spawnService } from '../testing/spawn-service.ts';

let service: SpawnedService | undefined;
afterEach(async () => {
  service?.child.kill('SIGKILL');
  await service?.exited;
  service = undefined;
});

const record = validRecord;
const body = JSON.stringify({ instances: Array.from({ length: 100 }, () => record) });

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return Number(m?.[1] ?? Number.NaN);
}

describe('payload logs on a blocked stdout', () => {
  it('drop and count lines instead of stalling requests or growing memory', async () => {
    service = spawnService({ MODEL_DIR: insuranceModelDir, PAYLOAD_LOG_SAMPLE: '1' });
    const port = await service.listening;
    const stdout = service.child.stdout;
    if (!stdout) throw new Error('no stdout pipe');
    stdout.pause(); // nobody reads: the pipe fills, then the service's writes cannot proceed

    // ~15 kB per payload line: 600 requests are about twice the 4 MiB the logger may buffer.
    const requests = 600;
    for (let i = 0; i < requests; i += 20) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`http://127.0.0.1:${port}/predict`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body,
          }),
        ),
      );
      for (const res of answers) expect(res.status).toBe(200);
      await Promise.all(answers.map((res) => res.arrayBuffer()));
    }
    const dropped = await metric(service.opsPort() ?? 0, 'modelship_payload_log_dropped_total');
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(requests);

    // stdout drains again: every payload line was either written or counted as dropped.
    stdout.resume();
    const written = () => service?.lines.filter((l) => l.kind === 'modelship.payload').length ?? 0;
    for (let tries = 0; written() + dropped < requests && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(written() + dropped).toBe(requests);
  }, 120_000);
});

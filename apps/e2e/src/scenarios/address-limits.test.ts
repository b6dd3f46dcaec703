/**
 * nginx's per-address limits in the shipped gke chart's pod. The chart's Service keeps each
 * client's address (`externalTrafficPolicy: Local`), so nginx, whose limits are on by default
 * there, gives each address its own budget and logs the address. Loopback addresses (127.0.0.2,
 * 127.0.0.3, ...) stand for clients on the internet; the Service stand-in passes them on as a
 * node does with Local (with Cluster it would pass its own, as a node's SNAT does).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@modelship/charts';
import { readNginxConfOptions } from '@modelship/k8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, type Reply, send } from '../http/send.ts';
import { loadManifest, type Manifest } from '../manifest/load-manifest.ts';
import type { ConfigMap } from '../manifest/types.ts';
import type { LocalPod } from '../pod/local-pod.ts';
import { linesWhen } from '../testing/logs.ts';
import { hasNginx, startReadyPod } from '../testing/pods.ts';
import { validRecord } from '../testing/records.ts';

const predict = { method: 'POST', headers: { 'content-type': 'application/json' } } as const;

/** One client: keep-alive connections from one source address. */
function clientAt(address: string) {
  const agent = new Agent({ keepAlive: true, localAddress: address });
  return {
    predict: (url: string): Promise<Reply> =>
      send(url, '/predict', { ...predict, body: JSON.stringify(validRecord), agent }),
    close: () => agent.destroy(),
  };
}

/** Sends from `address` (16 requests at a time) until one is answered 429, or `max` were sent. */
async function flood(url: string, address: string, max: number): Promise<Reply | undefined> {
  const client = clientAt(address);
  try {
    for (let sent = 0; sent < max; sent += 16) {
      const replies = await Promise.all(Array.from({ length: 16 }, () => client.predict(url)));
      const refused = replies.find((reply) => reply.status === 429);
      if (refused) return refused;
    }
    return undefined;
  } finally {
    client.close();
  }
}

/** A request from `address` whose body never arrives: it stays in progress at nginx. */
interface HeldRequest {
  readonly socket: Socket;
  /** What came back so far (nothing while the request is held). */
  readonly received: () => string;
}

async function holdRequest(port: number, address: string): Promise<HeldRequest> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: address });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
  });
  socket.write(
    'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
  );
  return { socket, received: () => received };
}

describe.skipIf(!hasNginx())("per-address limits in the gke chart's pod", () => {
  let work: string;
  let manifest: Manifest;
  let pod: LocalPod;
  const held: HeldRequest[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'modelship-e2e-limits-'));
    const dist = join(work, 'dist');
    // The gke chart as `pnpm synth` writes it, whatever chart E2E_CHART names.
    buildApp(
      {
        charts: ['gke'],
        image: undefined,
        googleCloudProject: undefined,
        namespace: undefined,
        modelSource: undefined,
      },
      { outdir: dist },
    ).synth();
    manifest = await loadManifest({ dir: dist, chart: 'gke' });
    pod = await startReadyPod({ manifest });
  });
  afterAll(async () => {
    for (const request of held) request.socket.destroy();
    await pod?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const shippedLimits = () => {
    const map = manifest.objects.find((o): o is ConfigMap => o.kind === 'ConfigMap');
    return readNginxConfOptions(map?.data?.['nginx.conf'] ?? '');
  };

  it("keeps each client's address (Local), and nginx limits each address by default", () => {
    expect(pod.workload.service.spec.externalTrafficPolicy).toBe('Local');
    const { rateLimit, connectionLimit } = shippedLimits();
    expect(rateLimit).toBeDefined();
    expect(connectionLimit).toBeDefined();
  });

  it('answers an address over its rate 429 in the error contract; another address is served', async () => {
    const { rateLimit } = shippedLimits();
    const budget = (rateLimit?.requestsPerSecond ?? 0) + (rateLimit?.burst ?? 0);
    const refused = await flood(pod.url, '127.0.0.2', 20 * budget);
    expect(refused?.status).toBe(429);
    expect(refused?.headers['content-type']).toBe('application/json');
    expect(refused?.headers['retry-after']).toBe('1');
    expect(jsonOf(refused as Reply)).toMatchObject({ error: { code: 'rate_limited' } });

    const other = clientAt('127.0.0.3');
    const served = await other.predict(pod.url);
    other.close();
    expect(served.status).toBe(200);

    // nginx's access log names each client's own address, not the Service's.
    const ids = [refused, served].map((reply) => reply?.headers['x-request-id']);
    const lines = await linesWhen(
      async () => (await pod.containers.get('nginx')?.process.stdout()) ?? '',
      (read) => ids.every((id) => read.some((l) => l.request_id === id)),
    );
    const line = (reply: Reply | undefined) =>
      lines.find((l) => l.request_id === reply?.headers['x-request-id']);
    expect(line(refused)).toMatchObject({ status: 429, remote_addr: '127.0.0.2' });
    expect(line(served)).toMatchObject({ status: 200, remote_addr: '127.0.0.3' });
  });

  it('bounds the requests one address holds open; another address is served', async () => {
    const perAddress = shippedLimits().connectionLimit?.perAddress ?? 0;
    const port = Number(new URL(pod.url).port);
    // One more than the limit: whichever nginx reads last is refused, the others stay held.
    for (let i = 0; i <= perAddress; i += 1) held.push(await holdRequest(port, '127.0.0.4'));
    const answered = () => held.filter((request) => request.received() !== '');
    await expect.poll(() => answered().length, { timeout: 20_000, interval: 50 }).toBe(1);
    const [refused] = answered();
    expect(refused?.received()).toMatch(/^HTTP\/1\.1 429 /);
    expect(refused?.received()).toContain('"code":"rate_limited"');
    // While that address holds its limit, another one is served.
    const other = clientAt('127.0.0.5');
    expect((await other.predict(pod.url)).status).toBe(200);
    other.close();
    expect(answered()).toHaveLength(1);
  });
});

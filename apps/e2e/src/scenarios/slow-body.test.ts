/**
 * A request body trickled at a byte a second through the local pod's nginx: nginx's
 * client_body_timeout is between two reads and it has no total one, so a buffering nginx held
 * such a request as long as the client kept trickling. nginx now passes bodies on as they arrive
 * and the service's REQUEST_TIMEOUT ends the request: a 408 in the error contract, and the
 * connection closed. The pod runs the shipped chart with REQUEST_TIMEOUT set to 2 s (as
 * `inference.requestTimeoutSeconds` would), so the test is short.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../manifest/load-manifest.ts';
import type { KubeObject } from '../manifest/types.ts';
import type { LocalPod } from '../pod/local-pod.ts';
import { e2eConfig, hasNginx, startReadyPod } from '../testing/pods.ts';

const REQUEST_TIMEOUT = 2;
/** Far beyond REQUEST_TIMEOUT plus the service's one-second check, far below forever. */
const GIVE_UP_MS = 20_000;

/** The Deployment's inference container with REQUEST_TIMEOUT set. */
function withRequestTimeout(objects: readonly KubeObject[], seconds: number): KubeObject[] {
  return objects.map((object) => {
    if (object.kind !== 'Deployment') return object;
    const copy = structuredClone(object) as KubeObject & {
      spec: { template: { spec: { containers: { name: string; env?: object[] }[] } } };
    };
    for (const container of copy.spec.template.spec.containers) {
      if (container.name !== 'inference') continue;
      container.env = [
        ...(container.env ?? []).filter((e) => (e as { name: string }).name !== 'REQUEST_TIMEOUT'),
        { name: 'REQUEST_TIMEOUT', value: String(seconds) },
      ];
    }
    return copy;
  });
}

/** Sends a header promising 1000 bytes, then one byte a second; resolves with what came back. */
function trickle(url: string): Promise<{ text: string; closed: boolean; ms: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), hostname);
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (closed: boolean) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ text, closed, ms: performance.now() - started });
    };
    const giveUp = setTimeout(() => done(false), GIVE_UP_MS);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('close', () => done(true));
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(
        'POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
      );
      timer = setInterval(() => {
        if (socket.writable) socket.write(' ');
      }, 1000);
    });
  });
}

describe.skipIf(!hasNginx())('a trickled request body through the local pod', () => {
  let pod: LocalPod;

  beforeAll(async () => {
    const manifest = await loadManifest({ dir: e2eConfig.manifestDir, chart: e2eConfig.chart });
    pod = await startReadyPod({
      manifest: { ...manifest, objects: withRequestTimeout(manifest.objects, REQUEST_TIMEOUT) },
    });
  });
  afterAll(async () => {
    await pod?.stop();
  });

  it('is ended by the service with a 408 in the error contract, and the connection closed', async () => {
    const reply = await trickle(pod.url);
    expect(reply.closed).toBe(true);
    const [head = '', body = ''] = reply.text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 408 /);
    expect(head.toLowerCase()).toContain('content-type: application/json');
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'request_timeout' } });
    // Not before the timeout: the body was arriving all along.
    expect(reply.ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT * 1000 - 100);
  });
});

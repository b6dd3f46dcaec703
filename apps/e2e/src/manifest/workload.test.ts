import { describe, expect, it } from 'vitest';
import { parseManifest } from './load-manifest.ts';
import { containerEnv, containerNamed, describeWorkload, resolvePort } from './workload.ts';

const manifest = `
apiVersion: v1
kind: ConfigMap
metadata: { name: conf }
data: { nginx.conf: "events {}" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: app }
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - name: proxy
          image: nginx
          ports: [{ containerPort: 8080, name: http }]
        - name: app
          image: app
          env: [{ name: PORT, value: "8081" }]
      volumes:
        - { name: c, configMap: { name: conf } }
---
apiVersion: v1
kind: Service
metadata: { name: app }
spec:
  ports: [{ port: 80, targetPort: http }]
`;

describe('describeWorkload', () => {
  it('follows the Service port to the container port it names', () => {
    const workload = describeWorkload(parseManifest(manifest));
    expect(workload.route).toEqual({ servicePort: 80, container: 'proxy', containerPort: 8080 });
    expect(workload.terminationGracePeriodSeconds).toBe(45);
    expect([...workload.configMaps.keys()]).toEqual(['conf']);
  });

  it('defaults the grace period to Kubernetes’ 30 s', () => {
    const workload = describeWorkload(
      parseManifest(manifest.replace('terminationGracePeriodSeconds: 45', '')),
    );
    expect(workload.terminationGracePeriodSeconds).toBe(30);
  });

  it('names what is missing', () => {
    expect(() =>
      describeWorkload(parseManifest(manifest.replace('name: conf }', 'name: other }'))),
    ).toThrow(/ConfigMap conf, not in the chart/);
    expect(() =>
      describeWorkload(parseManifest(manifest.replace('targetPort: http', 'targetPort: web'))),
    ).toThrow(/no container port "web"/);
    expect(() => describeWorkload(parseManifest(`${manifest}\n---\n${manifest}`))).toThrow(
      /one Deployment, found 2/,
    );
  });

  it('resolves numbered and named ports and reads literal env', () => {
    const { pod } = describeWorkload(parseManifest(manifest));
    expect(resolvePort(pod.containers, 8080)).toEqual({ container: 'proxy', containerPort: 8080 });
    expect(containerEnv(containerNamed(pod, 'app'))).toEqual({ PORT: '8081' });
    expect(() =>
      containerEnv({
        name: 'x',
        image: 'x',
        env: [{ name: 'A', valueFrom: { secretKeyRef: {} } }],
      }),
    ).toThrow(/valueFrom/);
  });
});

import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { GkeChart } from './gke.ts';

describe('GkeChart', () => {
  it('synthesizes a Deployment running the given image', () => {
    const chart = new GkeChart(Testing.app(), 'gke', { image: 'example/inference:1' });
    const deployment = Testing.synth(chart).find((o) => o.kind === 'Deployment');
    expect(deployment?.spec.template.spec.containers[0].image).toBe('example/inference:1');
  });
});

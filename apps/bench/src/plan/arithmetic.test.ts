import { DEFAULT_RESOURCES } from '@modelship/k8s';
import { describe, expect, it } from 'vitest';
import {
  cpuFor,
  type MeasuredCapacity,
  type PlanChoices,
  PlanError,
  planCapacity,
  replicasFor,
  targetPerPod,
} from './arithmetic.ts';

const measured: MeasuredCapacity = {
  capacityRps: 4000,
  serviceCpuPerRequestS: 200e-6, // 0.8 cores at capacity
  nginxCpuPerRequestS: 60e-6, // 0.24 cores at capacity
};
const choices: PlanChoices = {
  targetRps: 10_000,
  utilizationPercent: 70,
  minReplicasFloor: 2,
  burstFactor: 2,
  current: DEFAULT_RESOURCES,
};

describe('targetPerPod and replicasFor', () => {
  it('plans each pod at the utilization share of its capacity', () => {
    expect(targetPerPod(4000, 70)).toBe(2800);
    expect(targetPerPod(1234, 70)).toBe(863);
    expect(targetPerPod(1, 10)).toBe(1);
  });

  it('rounds the replicas up, and exact multiples are not rounded past', () => {
    expect(replicasFor(10_000, 2800)).toBe(4);
    expect(replicasFor(5600, 2800)).toBe(2);
    expect(replicasFor(5601, 2800)).toBe(3);
    expect(replicasFor(1, 2800)).toBe(1);
  });
});

describe('cpuFor', () => {
  it('requests the CPU used at capacity, rounded up to 50m, and never lowers the limit', () => {
    const r = cpuFor(200e-6, 4000, DEFAULT_RESOURCES.inference);
    expect(r.requests.cpuMillis).toBe(800);
    expect(r.limits.cpuMillis).toBe(1000);
    expect(r.requests.memoryMiB).toBe(DEFAULT_RESOURCES.inference.requests.memoryMiB);
    expect(cpuFor(201e-6, 4000, DEFAULT_RESOURCES.inference).requests.cpuMillis).toBe(850);
  });

  it('raises the limit to the request when the pod needs more than its limit', () => {
    const r = cpuFor(400e-6, 4000, DEFAULT_RESOURCES.inference);
    expect(r.requests.cpuMillis).toBe(1600);
    expect(r.limits.cpuMillis).toBe(1600);
  });

  it('requests at least 50m', () => {
    expect(cpuFor(0, 4000, DEFAULT_RESOURCES.nginx).requests.cpuMillis).toBe(50);
  });
});

describe('planCapacity', () => {
  it('derives replicas, HPA bounds and targets, and resources', () => {
    const plan = planCapacity(measured, choices);
    expect(plan.targetPerPodRps).toBe(2800);
    expect(plan.replicasNeeded).toBe(4);
    expect(plan.autoscaling).toEqual({
      minReplicas: 4,
      maxReplicas: 8,
      // the request is the CPU at capacity, so the per-pod target is 70 % of it
      cpuUtilizationPercent: 70,
      requestsPerSecondPerPod: 2800,
    });
    expect(plan.resources.inference.requests.cpuMillis).toBe(800);
    expect(plan.resources.nginx.requests.cpuMillis).toBe(250);
    expect(plan.resources.nginx.limits.cpuMillis).toBe(500);
  });

  it("keeps the environment's floor when little traffic is planned", () => {
    const plan = planCapacity(measured, { ...choices, targetRps: 100 });
    expect(plan.replicasNeeded).toBe(1);
    expect(plan.autoscaling.minReplicas).toBe(2);
    expect(plan.autoscaling.maxReplicas).toBe(4);
  });

  it('moves the CPU target with the rounding of the request', () => {
    // 0.61 cores at capacity → 650m requested; 70 % of capacity uses 427m = 66 % of 650m
    const plan = planCapacity({ ...measured, serviceCpuPerRequestS: 152.5e-6 }, choices);
    expect(plan.resources.inference.requests.cpuMillis).toBe(650);
    expect(plan.autoscaling.cpuUtilizationPercent).toBe(66);
  });

  it('follows --utilization', () => {
    const plan = planCapacity(measured, { ...choices, utilizationPercent: 50 });
    expect(plan.targetPerPodRps).toBe(2000);
    expect(plan.replicasNeeded).toBe(5);
    expect(plan.autoscaling.cpuUtilizationPercent).toBe(50);
  });

  it.each([
    [{ capacityRps: 0 }, /capacity \(0\) must be > 0/],
    [{ capacityRps: Number.NaN }, /capacity \(NaN\)/],
    [{ serviceCpuPerRequestS: 0 }, /service CPU per request \(0\)/],
    [{ nginxCpuPerRequestS: -1 }, /nginx CPU per request \(-1\)/],
  ])('refuses a measurement %o', (change, message) => {
    expect(() => planCapacity({ ...measured, ...change }, choices)).toThrow(PlanError);
    expect(() => planCapacity({ ...measured, ...change }, choices)).toThrow(message);
  });

  it.each([
    [{ targetRps: 0 }, /--rps \(0\)/],
    [{ utilizationPercent: 100 }, /--utilization \(100\)/],
    [{ minReplicasFloor: 0 }, /minReplicasFloor \(0\)/],
  ])('refuses choices %o', (change, message) => {
    expect(() => planCapacity(measured, { ...choices, ...change })).toThrow(message);
  });
});

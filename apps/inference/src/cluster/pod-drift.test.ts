import { describe, expect, it } from 'vitest';
import { driftSnapshot, mergeDrift } from './pod-drift.ts';
import { fakeProfile, profiledDeps, skewedRecords } from './testing.ts';

describe("the pod's drift window", () => {
  it('is the workers windows added up: the same counts and PSI as one process that saw every record', async () => {
    const profile = fakeProfile();
    const [a, b, whole] = [profiledDeps(profile), profiledDeps(profile), profiledDeps(profile)];
    await a.predict(skewedRecords(0, 120));
    await b.predict(skewedRecords(120, 250));
    await whole.predict(skewedRecords(0, 250));
    const fingerprint = a.models.current.model.identity.fingerprint;
    const monitorOf = (deps: typeof a) => {
      const { drift } = deps.monitoring;
      if (!drift) throw new Error('no drift monitor');
      return drift;
    };
    const pod = mergeDrift(monitorOf(a), fingerprint, [
      driftSnapshot(monitorOf(a), fingerprint),
      driftSnapshot(monitorOf(b), fingerprint),
    ]);
    const one = monitorOf(whole);
    expect(pod.windowRecords()).toBe(250);
    expect(pod.processes).toBe(2);
    expect(pod.excluded).toBe(0);
    expect(pod.window).toBe('the last 10000 records of each of 2 service processes');
    const distributions = [...one.fields, one.prediction];
    [...pod.fields, pod.prediction].forEach((d, i) => {
      const expected = distributions[i];
      expect(d.name).toBe(expected?.name);
      expect(Array.from(d.live)).toEqual(Array.from(expected?.live ?? []));
      expect(pod.psi(d)).toBeCloseTo(one.psi(expected ?? d), 12);
    });
    // Not the mean of the workers' PSIs, which a sum or average of the gauges would give.
    const age = (m: typeof one) => m.psi(m.fields[0] ?? m.prediction);
    expect(age(one)).toBeGreaterThan(0.1);
    expect(pod.psi(pod.fields[0] ?? pod.prediction)).not.toBeCloseTo(
      (age(monitorOf(a)) + age(monitorOf(b))) / 2,
      3,
    );
  });

  it('leaves out windows of another model version and says so', async () => {
    const profile = fakeProfile();
    const [a, b] = [profiledDeps(profile), profiledDeps(profile)];
    await a.predict(skewedRecords(0, 10));
    await b.predict(skewedRecords(10, 30));
    const drift = a.monitoring.drift;
    const other = b.monitoring.drift;
    if (!drift || !other) throw new Error('no drift monitor');
    const fingerprint = a.models.current.model.identity.fingerprint;
    const pod = mergeDrift(
      drift,
      fingerprint,
      [driftSnapshot(drift, fingerprint), driftSnapshot(other, 'another version')],
      1,
    );
    expect(pod.windowRecords()).toBe(10);
    expect(pod.excluded).toBe(2);
    expect(pod.window).toBe(
      'the last 10000 records (2 other processes not included: another model version, or no answer)',
    );
  });
});

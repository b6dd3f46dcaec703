// Test helpers of the cluster modules: a profile for the fake insurance model, and a worker's
// deps around it (drift monitoring on).
import { buildProfile, compileSchema, type Profile } from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';
import { distinctRecord, fakeDeps, fakeInsurancePrediction } from '../testing/fake-deps.ts';

/** A training profile of the fake insurance model over 300 distinct records. */
export function fakeProfile(): Profile {
  const compiled = compileSchema(insuranceSchema);
  const training = Array.from({ length: 300 }, (_, i) => distinctRecord(i));
  return buildProfile(compiled.schema, training, training.map(fakeInsurancePrediction), {
    fingerprint: compiled.fingerprint,
  });
}

/** A worker's deps: the fake model with a profile (drift on), ready, without process metrics. */
export function profiledDeps(profile: Profile = fakeProfile()) {
  return fakeDeps({ profile }).deps;
}

/** Records `from`..`to - 1`, skewed towards older smokers so that the window drifts. */
export function skewedRecords(from: number, to: number) {
  return Array.from({ length: to - from }, (_, k) => {
    const r = distinctRecord(from + k);
    return (from + k) % 3 === 0 ? { ...r, age: 64, smoker: 'yes' } : r;
  });
}

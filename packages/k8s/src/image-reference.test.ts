import { describe, expect, it } from 'vitest';
import { defaultPullPolicy, parseImageReference } from './image-reference.ts';

const DIGEST = `sha256:${'0f'.repeat(32)}`;

describe('parseImageReference', () => {
  it.each([
    [
      'nginxinc/nginx-unprivileged:1.30.5-trixie',
      'nginxinc/nginx-unprivileged',
      '1.30.5-trixie',
      undefined,
    ],
    [`acme/inference@${DIGEST}`, 'acme/inference', undefined, DIGEST],
    [`acme/inference:1.0.0@${DIGEST}`, 'acme/inference', '1.0.0', DIGEST],
    ['localhost:5000/a/b_c--d:v1', 'localhost:5000/a/b_c--d', 'v1', undefined],
    [
      'europe-west1-docker.pkg.dev/acme-prod/models/inference:2026.11.1',
      'europe-west1-docker.pkg.dev/acme-prod/models/inference',
      '2026.11.1',
      undefined,
    ],
    ['inference', 'inference', undefined, undefined],
  ])('%s', (reference, name, tag, digest) => {
    expect(parseImageReference(reference)).toEqual({ name, tag, digest });
  });

  it.each([
    'Acme/inference:1',
    'acme/inference:',
    'acme/inference:1 ',
    'acme/inference@sha256:abc',
    `acme/inference@sha512:${'0'.repeat(128)}`,
    `acme/inference@${DIGEST.toUpperCase()}`,
    ':1',
    'acme//inference:1',
    `acme/inference:-1`,
  ])('rejects %s', (reference) => {
    expect(parseImageReference(reference)).toBeUndefined();
  });
});

describe('defaultPullPolicy', () => {
  it('checks a tag against the registry on every start; trusts a cached digest', () => {
    expect(defaultPullPolicy({ name: 'a', tag: '1', digest: undefined })).toBe('Always');
    expect(defaultPullPolicy({ name: 'a', tag: '1', digest: DIGEST })).toBe('IfNotPresent');
    expect(defaultPullPolicy({ name: 'a', tag: undefined, digest: DIGEST })).toBe('IfNotPresent');
  });
});

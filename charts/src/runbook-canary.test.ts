// docs/canary.md, kept true where it names what the cluster needs for the regional Gateway class.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const PAGE = readFileSync(new URL('../../docs/canary.md', import.meta.url), 'utf8');

describe("docs/canary.md's regional Gateway class", () => {
  it('gives the proxy-only subnet step', () => {
    expect(PAGE.replace(/\\\n\s*/g, '')).toMatch(
      /gcloud compute networks subnets create \S+ --purpose=REGIONAL_MANAGED_PROXY +--role=ACTIVE --region="\$REGION"/,
    );
  });
});

// The runtime stage @modelship/cli ships: taken from the Dockerfile as it is, and refused when it
// would not build from a package's files alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packageRuntimeDockerfile, runtimeStage } from './runtime-stage.mjs';

const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');

describe('runtimeStage', () => {
  it("takes the Dockerfile's last stage: its base and where its /app files come from", () => {
    const stage = runtimeStage(dockerfile);
    expect(stage.base).toBe('gcr.io/distroless/nodejs22-debian12:nonroot');
    expect(stage.app).toEqual({ stage: 'build', path: '/out/' });
    expect(dockerfile.endsWith(stage.text)).toBe(true);
    expect(stage.text.startsWith(`FROM ${stage.base}\n`)).toBe(true);
  });

  it('puts a stage of the same name holding the context app/ before it', () => {
    const generated = packageRuntimeDockerfile(runtimeStage(dockerfile).text);
    const instructions = generated.split('\n').filter((l) => /^[A-Z]+ /.test(l));
    expect(instructions.slice(0, 3)).toEqual([
      'FROM scratch AS build',
      'COPY app/ /out/',
      'FROM gcr.io/distroless/nodejs22-debian12:nonroot',
    ]);
  });

  it.each([
    ['a RUN', 'FROM x:1\nRUN echo\nCOPY --from=b /o/ /app/\n', /must not RUN anything: RUN echo/],
    [
      'a second COPY',
      'FROM x:1\nCOPY --from=b /o/ /app/\nCOPY a /etc/\n',
      /may only copy \/app's files, once: COPY a \/etc\//,
    ],
    ['no COPY into /app', 'FROM x:1\nENV A=1\n', /copies no files into \/app\//],
    ['a FROM with a platform', 'FROM --platform=linux/arm64 x:1\n', /must name one image/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => runtimeStage(text)).toThrow(message);
  });
});

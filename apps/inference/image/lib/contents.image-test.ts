// The content rules themselves, on made-up path lists: each rule must catch what it names.
import { describe, expect, it } from 'vitest';
import { forbiddenContents, virtualStorePackage } from './contents.ts';

const rules = {
  allowedPackages: new Set(['hono@4.13.19', '@hono/node-server@2.1.8', 'zod@4.6.7']),
  bannedNames: ['vitest', '@modelship/feature-schema'],
};

describe('virtualStorePackage', () => {
  it('reads name and version from pnpm virtual-store directory names', () => {
    expect(virtualStorePackage('hono@4.13.19')).toBe('hono@4.13.19');
    expect(virtualStorePackage('@hono+node-server@2.1.8_hono@4.13.19')).toBe(
      '@hono/node-server@2.1.8',
    );
    expect(virtualStorePackage('lock.yaml')).toBeUndefined();
  });
});

describe('forbiddenContents', () => {
  it('accepts a clean production bundle', () => {
    expect(
      forbiddenContents(
        [
          'package.json',
          'dist/server.js',
          'dist/model/model.onnx',
          'node_modules/.pnpm/hono@4.13.19',
          'node_modules/.pnpm/hono@4.13.19/node_modules/hono/dist/index.d.ts',
          'node_modules/.pnpm/zod@4.6.7/node_modules/zod/src/index.ts',
          'node_modules/.pnpm/@hono+node-server@2.1.8_hono@4.13.19',
          'node_modules/.pnpm/lock.yaml',
          'node_modules/hono',
        ],
        rules,
      ),
    ).toEqual([]);
  });

  it('names sources, tests, training data, unknown and banned packages', () => {
    expect(
      forbiddenContents(
        [
          'src/index.ts',
          'dist/app.test.js',
          'data/insurance.csv',
          'packages/insurance-model/data/README.md',
          'node_modules/.pnpm/left-pad@1.3.0',
          'node_modules/.pnpm/vitest@4.1.12',
          'node_modules/.pnpm/vitest@4.1.12/node_modules/vitest',
          'node_modules/@modelship/feature-schema',
        ],
        rules,
      ),
    ).toEqual([
      'TypeScript source: src/index.ts',
      'test file: dist/app.test.js',
      'training data: data/insurance.csv',
      'training data: packages/insurance-model/data/README.md',
      'package outside the production graph: left-pad@1.3.0',
      'package outside the production graph: vitest@4.1.12',
      'banned package vitest: node_modules/.pnpm/vitest@4.1.12/node_modules/vitest',
      'banned package @modelship/feature-schema: node_modules/@modelship/feature-schema',
    ]);
  });
});

// The content rules themselves, on made-up path lists: each rule must catch what it names.
import { describe, expect, it } from 'vitest';
import { forbiddenContents, runtimePackageNames } from './contents.ts';

describe('forbiddenContents', () => {
  it('allows the runtime packages that esbuild leaves external', () => {
    expect([...runtimePackageNames].sort()).toEqual(['onnxruntime-common', 'onnxruntime-node']);
  });

  it('accepts a clean production bundle', () => {
    expect(
      forbiddenContents([
        'package.json',
        'dist/server.js',
        'dist/model/model.onnx',
        'node_modules/onnxruntime-node/dist/index.js',
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
        'dist/static/swagger-ui/swagger-ui-bundle.js.gz',
      ]),
    ).toEqual([]);
  });

  it('names sources, tests, training data, packages not needed and nested node_modules', () => {
    expect(
      forbiddenContents([
        'src/index.ts',
        'node_modules/onnxruntime-common/dist/cjs/index.d.ts',
        'dist/app.test.js',
        'data/insurance.csv',
        'packages/insurance-model/data/README.md',
        'node_modules/hono/dist/index.js',
        'node_modules/swagger-ui-dist/swagger-ui.css',
        'node_modules/@modelship/feature-schema',
        'node_modules/.pnpm/vitest@4.1.12',
        'node_modules/onnxruntime-node/node_modules/adm-zip/index.js',
      ]),
    ).toEqual([
      'TypeScript source: src/index.ts',
      'TypeScript source: node_modules/onnxruntime-common/dist/cjs/index.d.ts',
      'test file: dist/app.test.js',
      'training data: data/insurance.csv',
      'training data: packages/insurance-model/data/README.md',
      'package not needed at run time: hono',
      'package not needed at run time: swagger-ui-dist',
      'package not needed at run time: @modelship/feature-schema',
      'package not needed at run time: .pnpm',
      'nested node_modules: node_modules/onnxruntime-node/node_modules/adm-zip/index.js',
    ]);
  });
});

// What must never ship in the production bundle or the image: dependencies outside the
// service's production dependency graph (dev tools, workspace packages), TypeScript sources,
// tests and the training data. Works on plain path lists, so the same rules check a
// directory on disk and the file listing of an exported container.
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execOk } from './exec.ts';

/** `name@version` of every package in the service's production graph, from the lockfile. */
export async function productionPackages(workspaceRoot: string): Promise<Set<string>> {
  const { stdout } = await execOk(
    'pnpm',
    ['--filter', '@modelship/inference', 'list', '--prod', '--depth', 'Infinity', '--json'],
    { cwd: workspaceRoot },
  );
  interface Node {
    version: string;
    dependencies?: Record<string, Node>;
  }
  const found = new Set<string>();
  const walk = (deps: Record<string, Node> | undefined) => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      found.add(`${name}@${node.version}`);
      walk(node.dependencies);
    }
  };
  for (const project of JSON.parse(stdout) as { dependencies?: Record<string, Node> }[]) {
    walk(project.dependencies);
  }
  return found;
}

/** Every file and directory below `dir`, relative to it, '/'-separated (symlinks not followed). */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
}

/** `name@version` from a pnpm virtual-store directory name (`@scope+name@1.2.3_peer@4`). */
export function virtualStorePackage(dirName: string): string | undefined {
  const match = /^(@[^+@]+\+[^@]+|[^@]+)@([^_]+)/.exec(dirName);
  return match ? `${match[1]?.replace('+', '/')}@${match[2]}` : undefined;
}

/** Options of {@link forbiddenContents}. */
export interface ContentRules {
  /** `name@version` of the allowed packages: the production graph. */
  readonly allowedPackages: ReadonlySet<string>;
  /** Names that must never appear as a package at all (dev tools, workspace packages). */
  readonly bannedNames: readonly string[];
}

const typescriptSource = /\.(ts|tsx|mts|cts)$/;
const declaration = /\.d\.(ts|mts|cts)$/;
const testFile = /(^|\/)[^/]+\.(test|spec)\.[cm]?[jt]sx?$/;
const trainingData = /(^|\/)insurance\.csv$|(^|\/)insurance-model\/data(\/|$)/;

/** Whether a path is (part of) the bundled model's training data set. */
export function isTrainingData(path: string): boolean {
  return trainingData.test(path);
}

/**
 * The violations among `paths` (relative to the application root, e.g. `dist/server.js`,
 * `node_modules/.pnpm/hono@4.13.19/...`), one message each; empty when the contents are clean.
 * Outside node_modules: no TypeScript source, no test file. Anywhere: no training data.
 * In node_modules: only packages of the production graph, none of the banned names.
 */
export function forbiddenContents(paths: readonly string[], rules: ContentRules): string[] {
  const problems = new Set<string>();
  for (const path of paths) {
    if (isTrainingData(path)) problems.add(`training data: ${path}`);
    const inModules = path.startsWith('node_modules/');
    if (!inModules && typescriptSource.test(path) && !declaration.test(path)) {
      problems.add(`TypeScript source: ${path}`);
    }
    if (!inModules && testFile.test(path)) problems.add(`test file: ${path}`);
    const store = /^node_modules\/\.pnpm\/([^/]+)$/.exec(path);
    const storeName = store?.[1];
    if (storeName && storeName !== 'node_modules' && storeName !== 'lock.yaml') {
      const pkg = virtualStorePackage(storeName);
      if (!pkg || !rules.allowedPackages.has(pkg)) {
        problems.add(`package outside the production graph: ${pkg ?? storeName}`);
      }
    }
    for (const name of rules.bannedNames) {
      if (path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`)) {
        problems.add(`banned package ${name}: ${path}`);
      }
    }
  }
  return [...problems];
}

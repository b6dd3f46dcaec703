/**
 * Checks synthesized Kubernetes objects against the Kubernetes OpenAPI schema, as published by
 * `kubernetes-models` (generated from the upstream OpenAPI document):
 * - `validateObjects` runs its JSON-Schema validators (types, enums, required fields);
 * - `findUnknownFields` type-checks each object, as an object literal, against the model's
 *   TypeScript interface, so that TypeScript's excess-property check rejects every field the
 *   schema does not define, at any depth (the validators alone accept unknown fields).
 * Gateway API objects (`gateway.networking.k8s.io`) are checked the same way with
 * `@kubernetes-models/gateway-api`, generated from the Gateway API's CRDs, and GKE's own
 * (`networking.gke.io`: HealthCheckPolicy, GCPBackendPolicy, ManagedCertificate,
 * FrontendConfig; `cloud.google.com`: BackendConfig) with `@kubernetes-models/gke`.
 * Test-only: `kubernetes-models`, `@kubernetes-models/gateway-api`, `@kubernetes-models/gke`
 * and `typescript` are devDependencies.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The part of a Kubernetes object these checks read. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string };
  readonly [field: string]: unknown;
}

/** API groups that `kubernetes-models` describes; other groups (CRDs) are not checked here. */
const CORE_GROUPS = /^(v1|[a-z]+(\.k8s\.io)?\/v[0-9a-z]+)$/;

/** The Gateway API's group, described by `@kubernetes-models/gateway-api`. */
const GATEWAY_API_GROUP = /^gateway\.networking\.k8s\.io\/v[0-9a-z]+$/;

/** GKE's groups, described by `@kubernetes-models/gke` (generated from GKE's CRDs). */
const GKE_GROUP = /^(networking\.gke\.io|cloud\.google\.com)\/v[0-9a-z]+$/;

/**
 * The module describing an object's kind (`kubernetes-models`, `@kubernetes-models/gateway-api`
 * for the Gateway API, `@kubernetes-models/gke` for GKE's), or undefined for another custom
 * resource.
 */
export function modelModule(obj: KubeObject): string | undefined {
  if (GATEWAY_API_GROUP.test(obj.apiVersion)) {
    return `@kubernetes-models/gateway-api/${obj.apiVersion}/${obj.kind}`;
  }
  if (GKE_GROUP.test(obj.apiVersion)) {
    return `@kubernetes-models/gke/${obj.apiVersion}/${obj.kind}`;
  }
  if (!CORE_GROUPS.test(obj.apiVersion)) return undefined;
  return `kubernetes-models/${obj.apiVersion}/${obj.kind}`;
}

function label(obj: KubeObject): string {
  return `${obj.kind}/${obj.metadata?.name ?? '?'}`;
}

/** Validates each object with its `kubernetes-models` class; returns one message per invalid object. */
export async function validateObjects(objects: readonly KubeObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const obj of objects) {
    const module = modelModule(obj);
    if (module === undefined) continue;
    let Model: new (data: unknown) => { validate(): void };
    try {
      const exports = (await import(module)) as Record<string, unknown>;
      Model = exports[obj.kind] as typeof Model;
    } catch {
      problems.push(`${label(obj)}: no schema for ${obj.apiVersion} ${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (error) {
      problems.push(`${label(obj)}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Where the virtual source lives, so that `kubernetes-models` resolves from this package. */
const VIRTUAL_FILE = fileURLToPath(new URL('./__objects__.ts', import.meta.url));

/**
 * Returns one message per field (at any depth) that the Kubernetes schema does not define, or
 * whose type does not match; custom resources (non-Kubernetes API groups) are skipped.
 */
export function findUnknownFields(objects: readonly KubeObject[]): string[] {
  const checked = objects.filter((obj) => modelModule(obj) !== undefined);
  const lines: string[] = [];
  const spans: { start: number; end: number; obj: KubeObject }[] = [];
  checked.forEach((obj, index) => {
    lines.push(`import type { I${obj.kind} as T${index} } from '${modelModule(obj)}';`);
  });
  let offset = lines.join('\n').length + 1;
  checked.forEach((obj, index) => {
    const line = `export const o${index}: T${index} = ${JSON.stringify(obj)};`;
    spans.push({ start: offset, end: offset + line.length, obj });
    lines.push(line);
    offset += line.length + 1;
  });
  const source = lines.join('\n');

  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => file === VIRTUAL_FILE || fileExists.call(host, file);
  host.readFile = (file) => (file === VIRTUAL_FILE ? source : readFile.call(host, file));
  host.getSourceFile = (file, language, ...rest) =>
    file === VIRTUAL_FILE
      ? ts.createSourceFile(file, source, language)
      : getSourceFile.call(host, file, language, ...rest);
  const program = ts.createProgram([VIRTUAL_FILE], options, host);
  const diagnostics = [
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(program.getSourceFile(VIRTUAL_FILE)),
  ];
  return diagnostics.map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    const start = diagnostic.start ?? -1;
    const span = spans.find((s) => start >= s.start && start < s.end);
    return `${span ? label(span.obj) : 'source'}: ${text}`;
  });
}

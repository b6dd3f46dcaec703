/**
 * docs/gke.md's runbook block, read as the shell would: every variable is set before it
 * is used, the synth step's variables are ones the chart app reads, and every object, port and
 * namespace the kubectl commands name is one the gke chart synthesizes (with the block's own
 * values).
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_NGINX_IMAGE, parseImageReference } from '@modelship/k8s';
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { loadAppConfig } from './config.ts';
import { ENVIRONMENTS } from './environments.ts';
import { InferenceChart } from './inference-chart.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized manifests are untyped JSON
type Manifest = any;

const PAGE = readFileSync(new URL('../../docs/gke.md', import.meta.url), 'utf8');

/** The runbook: the first ```sh block of the page, before its first `## ` section. */
function runbook(markdown: string): string {
  const intro = markdown.split(/^## /m)[0];
  const block = intro?.match(/^```sh\n([\s\S]*?)^```$/m)?.[1];
  if (block === undefined) throw new Error('docs/gke.md: no ```sh block before its first section');
  return block;
}

/** One simple command: its words as written (quotes kept) and the line it starts on. */
interface Command {
  readonly words: string[];
  readonly line: number;
  /** Run in the background (`&`). */
  readonly background: boolean;
}

/**
 * Splits shell text into simple commands: words at top-level blanks, commands at `;`, `&&`,
 * `||`, `|`, `&` and line ends, continuation lines joined, comments dropped. Quotes and `$( )`
 * are kept inside words; enough shell for a runbook, not a shell.
 */
function commands(script: string): Command[] {
  const out: Command[] = [];
  let words: string[] = [];
  let word = '';
  let line = 1;
  let start = 1;
  const endWord = () => {
    if (word !== '') words.push(word);
    word = '';
  };
  const endCommand = (background = false) => {
    endWord();
    if (words.length > 0) out.push({ words, line: start, background });
    words = [];
  };
  const stack: ('"' | ')')[] = [];
  for (let i = 0; i < script.length; i++) {
    const c = script[i] ?? '';
    const top = stack.at(-1);
    if (c === '\n') line++;
    if (top === '"') {
      word += c;
      if (c === '\\') word += script[++i] ?? '';
      else if (c === '"') stack.pop();
      else if (c === '$' && script[i + 1] === '(') stack.push(')');
      continue;
    }
    if (c === '\\' && script[i + 1] === '\n') {
      i++;
      line++;
      continue;
    }
    if (c === "'") {
      const close = script.indexOf("'", i + 1);
      word += script.slice(i, close + 1);
      i = close;
      continue;
    }
    if (c === '"') stack.push('"');
    else if (c === '$' && script[i + 1] === '(') stack.push(')');
    else if (c === ')' && top === ')') stack.pop();
    if (top === ')') {
      word += c;
      continue;
    }
    if (c === '#' && word === '') {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else if (c === '\n' || c === ';') {
      endCommand();
      start = line;
    } else if (c === '&' || c === '|') {
      const doubled = script[i + 1] === c;
      if (doubled) i++;
      endCommand(c === '&' && !doubled);
    } else {
      if (words.length === 0 && word === '') start = line;
      word += c;
    }
  }
  endCommand();
  return out;
}

/** Names of the variables a word expands (`$X`, `${X}`), outside single quotes. */
function expansions(word: string): string[] {
  const names: string[] = [];
  let double = false;
  for (let i = 0; i < word.length; i++) {
    const c = word[i];
    if (c === '\\') i++;
    else if (c === '"') double = !double;
    else if (c === "'" && !double) i = word.indexOf("'", i + 1);
    else if (c === '$') {
      const name = word.slice(i + 1).match(/^\{?([A-Za-z_]\w*)/)?.[1];
      if (name !== undefined) names.push(name);
    }
  }
  return names;
}

const ASSIGNMENT = /^([A-Za-z_]\w*)=(.*)$/s;

/** The word with known variables substituted and quotes removed; undefined if it uses others. */
function evaluate(word: string, vars: ReadonlyMap<string, string | undefined>): string | undefined {
  if (word.includes('$(')) return undefined;
  let unknown = false;
  const text = word.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (_m, name: string) => {
    const value = vars.get(name);
    if (value === undefined) unknown = true;
    return value ?? '';
  });
  return unknown ? undefined : text.replace(/["']/g, '');
}

interface Reading {
  readonly commands: Command[];
  /** Every variable the block sets, with its value when it is a literal. */
  readonly vars: Map<string, string | undefined>;
  /** `line: $NAME` for each use of a variable not set by then. */
  readonly unset: string[];
}

/** Runs through the block in order, tracking which variables are set (exported or assigned). */
function read(script: string): Reading {
  const vars = new Map<string, string | undefined>();
  const unset: string[] = [];
  const use = (word: string, line: number) => {
    for (const name of expansions(word)) if (!vars.has(name)) unset.push(`${line}: $${name}`);
  };
  const all = commands(script);
  for (const { words, line } of all) {
    const exported = words[0] === 'export';
    const rest = exported ? words.slice(1) : words;
    let i = 0;
    const prefixes: [string, string][] = [];
    for (; i < rest.length; i++) {
      const m = ASSIGNMENT.exec(rest[i] ?? '');
      if (m === null) break;
      const [, name = '', value = ''] = m;
      use(value, line);
      // `export A=1 B=$A` and plain `A=1` set variables; `A=1 cmd` only sets them for cmd.
      if (exported) vars.set(name, evaluate(value, vars));
      else prefixes.push([name, value]);
    }
    if (i === rest.length && !exported) {
      for (const [name, value] of prefixes) vars.set(name, evaluate(value, vars));
    }
    for (const word of rest.slice(i)) use(word, line);
  }
  return { commands: all, vars, unset };
}

const reading = read(runbook(PAGE));
const kubectl = reading.commands.filter((c) => c.words[0] === 'kubectl');
const value = (name: string) => {
  const v = reading.vars.get(name);
  if (v === undefined) throw new Error(`docs/gke.md: ${name} has no literal value`);
  return v;
};

/** The gke chart, synthesized from the environment the runbook's synth step passes. */
function synthesizeAsTheRunbook(): { objects: Manifest[]; env: Record<string, string> } {
  const synth = reading.commands.find((c) => c.words.includes('synth'));
  if (synth === undefined) throw new Error('docs/gke.md: no synth step');
  const env: Record<string, string> = {};
  for (const word of synth.words) {
    const m = ASSIGNMENT.exec(word);
    if (m === null) break;
    env[m[1] ?? ''] = evaluate(m[2] ?? '', reading.vars) ?? '';
  }
  const config = loadAppConfig(env);
  const [name] = config.charts;
  if (name === undefined) throw new Error('no chart');
  const chart = new InferenceChart(Testing.app(), name, {
    environment: ENVIRONMENTS[name],
    image: config.image,
    googleCloudProject: config.googleCloudProject,
    namespace: config.namespace,
    model: { name: 'insurance-charges', version: '1.0.0' },
  });
  return { objects: Testing.synth(chart), env };
}

const { objects, env } = synthesizeAsTheRunbook();
const named = (kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const KINDS: Record<string, string> = {
  deployment: 'Deployment',
  service: 'Service',
  svc: 'Service',
  hpa: 'HorizontalPodAutoscaler',
};

/** `kind/name` or `kind name` after a kubectl verb, as [Kind, name]. */
function target(words: readonly string[]): [string, string] | undefined {
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? '';
    const slash = /^([a-z]+)\/([a-z0-9-]+)$/.exec(word);
    if (slash && KINDS[slash[1] ?? ''] !== undefined)
      return [KINDS[slash[1] ?? ''] ?? '', slash[2] ?? ''];
    const next = words[i + 1] ?? '';
    if (KINDS[word] !== undefined && /^[a-z0-9-]+$/.test(next)) return [KINDS[word] ?? '', next];
  }
  return undefined;
}

describe("docs/gke.md's runbook", () => {
  it('sets every variable before it uses it', () => {
    expect(reading.vars.size).toBeGreaterThan(5);
    expect(reading.unset).toEqual([]);
  });

  it('synthesizes with variables the chart app reads, into the namespace it creates', () => {
    expect(Object.keys(env).sort()).toEqual(['IMAGE', 'NAMESPACE', 'NGINX_IMAGE']);
    const namespace = value('NAMESPACE');
    expect(objects.map((o) => o.metadata.namespace)).toEqual(objects.map(() => namespace));
    const creates = kubectl.find((c) => c.words[1] === 'create' && c.words[2] === 'namespace');
    expect(evaluate(creates?.words[3] ?? '', reading.vars)).toBe(namespace);
    const inference = named('Deployment', 'insurance')?.spec.template.spec.containers.find(
      (c: Manifest) => c.name === 'inference',
    );
    expect(inference?.image).toBe(value('IMAGE'));
  });

  it('names only objects the manifests contain, always in their namespace', () => {
    const targets = kubectl.map((c) => [c, target(c.words)] as const).filter(([, t]) => t);
    expect(targets.map(([, t]) => t?.[0]).sort()).toEqual(
      expect.arrayContaining(['Deployment', 'HorizontalPodAutoscaler', 'Service']),
    );
    for (const [command, t] of targets) {
      const [kind, name] = t ?? ['', ''];
      expect(named(kind, name), `${command.line}: ${kind}/${name}`).toBeDefined();
      const n = command.words.indexOf('-n');
      expect(evaluate(command.words[n + 1] ?? '', reading.vars), `${command.line}: -n`).toBe(
        value('NAMESPACE'),
      );
    }
  });

  it('reaches the Service on its port (80) and the metrics on the pods’ metrics port', () => {
    const service = named('Service', 'insurance');
    expect(service.spec.type).toBe('LoadBalancer');
    const urls = reading.commands.flatMap((c) =>
      c.words.flatMap((w) => [...w.matchAll(/http:\/\/\$EXTERNAL_IP(:\d+)?\//g)]),
    );
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(Number(url[1]?.slice(1) ?? 80)).toBe(service.spec.ports[0].port);
    const forward = kubectl.find((c) => c.words.includes('port-forward'));
    const remote = Number(forward?.words.at(-1)?.split(':')[1]);
    const ports = named('Deployment', 'insurance').spec.template.spec.containers.flatMap(
      (c: Manifest) => c.ports ?? [],
    );
    expect(ports).toContainEqual({ name: 'metrics', containerPort: remote, protocol: 'TCP' });
  });

  it('creates the TLS Secret the pods mount, calls HTTPS on 443, and points the DNS name at the IP', () => {
    const secretName = named('Deployment', 'insurance').spec.template.spec.volumes.find(
      (v: Manifest) => v.name === 'tls',
    )?.secret.secretName;
    const creates = kubectl.filter((c) => c.words.join(' ').includes(' create secret tls '));
    expect(creates.map((c) => c.words[c.words.indexOf('tls') + 1])).toContain(secretName);
    for (const c of creates) {
      expect(evaluate(c.words[c.words.indexOf('-n') + 1] ?? '', reading.vars)).toBe(
        value('NAMESPACE'),
      );
    }
    const https = named('Service', 'insurance').spec.ports.find(
      (p: Manifest) => p.name === 'https',
    );
    expect(https?.port).toBe(443);
    const urls = reading.commands.flatMap((c) =>
      c.words.filter((w) => w.includes('https://$DOMAIN')),
    );
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(/^"https:\/\/\$DOMAIN\//);
    const record = reading.commands.find(
      (c) => c.words.slice(0, 4).join(' ') === 'gcloud dns record-sets create',
    );
    expect(record?.words).toContain('"$DOMAIN."');
    expect(record?.words).toContain('--rrdatas="$EXTERNAL_IP"');
    const served = reading.commands.find(
      (c) => c.words[0] === 'openssl' && c.words[1] === 's_client',
    );
    expect(served?.words).toContain(`"$EXTERNAL_IP:${https?.port}"`);
    expect(served?.words).toContain('"$DOMAIN"');
  });

  it('waits for the external IP with kubectl wait, and watches only in the background', () => {
    const wait = kubectl.find((c) => c.words[3] === 'wait');
    expect(wait?.words).toContain("--for=jsonpath='{.status.loadBalancer.ingress}'");
    expect(wait?.words.some((w) => w.startsWith('--timeout='))).toBe(true);
    for (const c of kubectl.filter((k) => k.words.includes('--watch'))) {
      expect(c.background, `${c.line}: --watch in the foreground never returns`).toBe(true);
    }
  });

  it('gives a new project what GKE needs: the node role, pulls from the repository, Workload Identity', () => {
    const gcloud = reading.commands.filter((c) => c.words[0] === 'gcloud').map((c) => c.words);
    const has = (...parts: string[]) =>
      gcloud.some((words) => parts.every((p) => words.includes(p)));
    expect(has('add-iam-policy-binding', '--role=roles/container.defaultNodeServiceAccount')).toBe(
      true,
    );
    expect(has('artifacts', 'add-iam-policy-binding', '--role=roles/artifactregistry.reader')).toBe(
      true,
    );
    const standard = gcloud.find((w) => w[2] === 'clusters' && w[3] === 'create');
    expect(standard).toContain('--workload-pool="$PROJECT_ID.svc.id.goog"');
    expect(standard?.some((w) => w.startsWith('--disk-size='))).toBe(true);
    expect(standard?.some((w) => w.startsWith('--total-max-nodes='))).toBe(true);
  });
});

describe("docs/gke.md's nginx image", () => {
  const nginxRef = reading.commands.find((c) => c.words[1]?.startsWith('NGINX_REF='));
  const nginxImage = reading.commands.find((c) => c.words[1]?.startsWith('NGINX_IMAGE='));

  it("comes from the project's remote repository of Docker Hub, readable by the nodes", () => {
    const gcloud = reading.commands.filter((c) => c.words[0] === 'gcloud').map((c) => c.words);
    const create = gcloud.find((w) => w.slice(1, 4).join(' ') === 'artifacts repositories create');
    const remote = gcloud.find(
      (w) => w.includes('create') && w.includes('--mode=remote-repository'),
    );
    expect(create).toBeDefined();
    expect(remote).toContain('--remote-docker-repo=DOCKER-HUB');
    const repo = remote?.[4] ?? '';
    expect(
      gcloud.some(
        (w) =>
          w.includes('add-iam-policy-binding') &&
          w[4] === repo &&
          w.includes('--role=roles/artifactregistry.reader'),
      ),
    ).toBe(true);
    // The remote repository's path of the construct's own nginx image, tag for tag.
    const { name, tag } = parseImageReference(DEFAULT_NGINX_IMAGE) ?? {};
    expect(nginxRef?.words[1]).toBe(
      `NGINX_REF="$REGION-docker.pkg.dev/$PROJECT_ID/${repo}/${name}:${tag}"`,
    );
  });

  it('is pinned by digest and passed to synth', () => {
    expect(nginxImage?.words[1]).toMatch(/^NGINX_IMAGE="\$NGINX_REF@\$\(docker inspect /);
    const synth = reading.commands.find((c) => c.words.includes('synth'));
    expect(synth?.words).toContain('NGINX_IMAGE="$NGINX_IMAGE"');
  });
});

describe("docs/gke.md's autoscaling on requests", () => {
  const section = PAGE.split(/^## /m).find((s) => s.startsWith('Autoscaling on requests\n')) ?? '';
  const block = section.match(/^```sh\n([\s\S]*?)^```$/m)?.[1] ?? '';

  it('applies a pinned release of the adapter, not its master branch', () => {
    const url = block.match(/https:\/\/raw\.githubusercontent\.com\/\S+/)?.[0] ?? '';
    expect(url).toMatch(
      /^https:\/\/raw\.githubusercontent\.com\/GoogleCloudPlatform\/k8s-stackdriver\/cm-sd-adapter-v\d+\.\d+\.\d+\/custom-metrics-stackdriver-adapter\/deploy\/production\/adapter_new_resource_model\.yaml$/,
    );
  });

  it('checks that the custom metrics API answers, and says what happens without it', () => {
    expect(block).toContain('kubectl get apiservice v1beta2.custom.metrics.k8s.io');
    expect(block).toContain('/apis/custom.metrics.k8s.io/v1beta2/namespaces/$NAMESPACE/pods/');
    expect(section.replace(/\s+/g, ' ')).toContain('never scales down');
  });
});

describe('the block reader', () => {
  it('finds a variable used before it is set, or set only for one command', () => {
    expect(read('echo "$A"\nexport A=1\n').unset).toEqual(['1: $A']);
    expect(read('A=1 env\necho $A\n').unset).toEqual(['2: $A']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a template
    expect(read('A=1\necho "$A" \'$B\' \\\n  ${A}\n').unset).toEqual([]);
    expect(read('export A=1 B="x$A"\necho "$(cat "$C")"\n').unset).toEqual(['2: $C']);
    expect(read('export A=1 B="x$A"').vars.get('B')).toBe('x1');
  });
});

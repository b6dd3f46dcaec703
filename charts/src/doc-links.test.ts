/**
 * Every relative link and image in the repository's markdown (README.md, docs/, the packages'
 * READMEs: every tracked `.md`) names a file that exists, and a `#anchor` into a markdown file
 * names one of its headings as GitHub slugs them. Links are read with marked, so code blocks and
 * code spans are not taken for links.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import GithubSlugger from 'github-slugger';
import { marked, type Token } from 'marked';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The text a heading renders (inline markup dropped), which GitHub slugs into its anchor. */
function plain(tokens: readonly Token[]): string {
  return tokens
    .map((t) => ('tokens' in t && t.tokens ? plain(t.tokens) : 'text' in t ? String(t.text) : ''))
    .join('');
}

/** The anchors of a markdown text's headings. */
function anchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const out = new Set<string>();
  marked.walkTokens(marked.lexer(markdown), (t) => {
    if (t.type === 'heading') out.add(slugger.slug(plain(t.tokens ?? [])));
  });
  return out;
}

/** Each relative link or image of `file` (under `root`) that does not resolve, as `href`. */
function brokenLinks(root: string, file: string): string[] {
  const markdown = readFileSync(join(root, file), 'utf8');
  const broken: string[] = [];
  marked.walkTokens(marked.lexer(markdown), (t) => {
    if (t.type !== 'link' && t.type !== 'image') return;
    const href = String(t.href);
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return; // https:, mailto:
    const [path = '', anchor] = href.split('#');
    const target = path === '' ? file : join(dirname(file), decodeURIComponent(path));
    if (relative(root, join(root, target)).startsWith('..') || !existsSync(join(root, target))) {
      broken.push(href);
      return;
    }
    if (anchor === undefined || !target.endsWith('.md')) return;
    const text = target === file ? markdown : readFileSync(join(root, target), 'utf8');
    if (!anchors(text).has(decodeURIComponent(anchor))) broken.push(href);
  });
  return broken;
}

const tracked = execFileSync('git', ['ls-files', '*.md'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f !== '');

describe('the links of the markdown files', () => {
  it('covers the README and every page of docs/', () => {
    expect(tracked).toContain('README.md');
    expect(tracked).toContain('docs/README.md');
    expect(tracked).toContain('docs/gke.md');
  });

  it.each(tracked)('%s: every relative link resolves', (file) => {
    expect(brokenLinks(ROOT, file)).toEqual([]);
  });

  it('finds a missing file, a missing heading and a path out of the tree, not code', () => {
    const root = mkdtempSync(join(tmpdir(), 'doc-links-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'README.md'), '# Top\n\n## Deploy to GKE (`pnpm synth`)\n');
    writeFileSync(
      join(root, 'docs', 'page.md'),
      [
        '# Page',
        '[ok](../README.md) [ok](../README.md#deploy-to-gke-pnpm-synth) [ok](#page)',
        '[gone](../MISSING.md) [no heading](../README.md#deploy) [no anchor](#nowhere)',
        '![gone](pic.svg) [outside](../../etc/passwd) [web](https://example.com/x.md)',
        '`[code](nothing.md)`',
        '```md\n[code](nothing.md)\n```',
      ].join('\n'),
    );
    expect(brokenLinks(root, 'docs/page.md')).toEqual([
      '../MISSING.md',
      '../README.md#deploy',
      '#nowhere',
      'pic.svg',
      '../../etc/passwd',
    ]);
  });
});

// Reading the docs' shell blocks as the runbook tests need them: a page's sh blocks, its lines
// with continuations joined, their words expanded with the variables the blocks export.

import { readFileSync } from 'node:fs';

/** A page of docs/ (e.g. `gke.md`). */
export function page(name: string): string {
  return readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');
}

/**
 * The first ```sh block of the page `name`: under its `## section` when given, else before its
 * first `## ` section.
 */
export function shBlock(name: string, section?: string): string {
  const parts = page(name).split(/^## /m);
  const part = section === undefined ? parts[0] : parts.find((s) => s.startsWith(`${section}\n`));
  const block = part?.match(/^```sh\n([\s\S]*?)^```$/m)?.[1];
  if (block === undefined)
    throw new Error(
      `docs/${name}: no \`\`\`sh block ${section ? `under "## ${section}"` : 'before its first section'}`,
    );
  return block;
}

/** Shell lines with continuations joined, here-documents and comments dropped. */
export function lines(block: string): string[] {
  const out: string[] = [];
  let heredoc: string | undefined;
  for (const line of block.replace(/\\\n\s*/g, ' ').split('\n')) {
    if (heredoc !== undefined) {
      if (line === heredoc) heredoc = undefined;
      continue;
    }
    heredoc = /<<'?(\w+)'?/.exec(line)?.[1];
    const code = line.replace(/(^|\s)#.*$/, '').trim();
    if (code) out.push(code);
  }
  return out;
}

/** Words of one command line: quotes removed, `$VAR`, `${VAR}` and a leading `~` expanded. */
export function words(line: string, vars: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  const expand = (text: string) =>
    text.replace(/\$\{?(\w+)\}?/g, (_, name: string) => {
      const value = vars[name];
      if (value === undefined) throw new Error(`$${name} is used before it is set: ${line}`);
      return value;
    });
  for (const [word] of line.matchAll(/(?:'[^']*'|"[^"]*"|[^\s'"]+)+/g)) {
    let value = '';
    for (const [segment] of word.matchAll(/'[^']*'|"[^"]*"|[^'"]+/g)) {
      if (segment.startsWith("'")) value += segment.slice(1, -1);
      else if (segment.startsWith('"')) value += expand(segment.slice(1, -1));
      else
        value += expand(value === '' ? segment.replace(/^~(?=\/|$)/, vars.HOME ?? '~') : segment);
    }
    out.push(value);
  }
  return out;
}

/** Variables the blocks export (`export A=x B="y"`), in order, each expanded when set. */
export function exported(block: string, vars: Record<string, string>): void {
  for (const line of lines(block)) {
    if (!line.startsWith('export ') || line.includes('$(')) continue;
    for (const word of words(line.slice('export '.length), vars)) {
      const [name, ...value] = word.split('=');
      if (name) vars[name] = value.join('=');
    }
  }
}

/** The block's lines that run the installed command (`modelship ...`). */
export function modelshipLines(block: string): string[] {
  return lines(block).filter((l) => l.startsWith('modelship '));
}

/** The block's lines that run the command from a checkout (`pnpm modelship ...`). */
export function checkoutLines(block: string): string[] {
  return lines(block).filter((l) => /(^|[\s;&|(])pnpm modelship /.test(l));
}

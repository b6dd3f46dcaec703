/**
 * A tiny model of nginx configuration syntax, so that nginx.conf is built as data and quoted in
 * one place instead of being assembled from template strings.
 * @see https://nginx.org/en/docs/beginners_guide.html#conf_structure
 */

/** A value of a directive: numbers and plain words are written bare, anything else quoted. */
export type NginxValue = string | number;

/** A simple directive such as `listen 8080;`. */
export interface NginxDirective {
  readonly kind: 'directive';
  readonly name: string;
  readonly values: readonly NginxValue[];
}

/** A block directive such as `http { ... }` or `location = /x { ... }`. */
export interface NginxBlock {
  readonly kind: 'block';
  readonly name: string;
  readonly values: readonly NginxValue[];
  readonly children: readonly NginxNode[];
}

/** A `# comment` line. */
export interface NginxComment {
  readonly kind: 'comment';
  readonly text: string;
}

/** Any node of the configuration tree. */
export type NginxNode = NginxDirective | NginxBlock | NginxComment;

/** Builds a simple directive. */
export function d(name: string, ...values: NginxValue[]): NginxDirective {
  return { kind: 'directive', name, values };
}

/** Builds a block directive. */
export function block(
  name: string,
  values: readonly NginxValue[],
  children: readonly (NginxNode | false | undefined)[],
): NginxBlock {
  return { kind: 'block', name, values, children: children.filter(isNode) };
}

/** Builds a comment line. */
export function comment(text: string): NginxComment {
  return { kind: 'comment', text };
}

/** Keeps real nodes, so that optional parts can be written as `cond && d(...)`. */
export function isNode(node: NginxNode | false | undefined): node is NginxNode {
  return node !== false && node !== undefined;
}

/** Values that nginx reads as one token without quotes. */
const BARE = /^[A-Za-z0-9_$./:@=~^*+\-[\]()|?\\]+$/;

/** Quotes a value for nginx when it is not a bare token (single quotes, escaped). */
export function quote(value: NginxValue): string {
  const text = String(value);
  if (BARE.test(text) && !text.includes('{') && !text.includes('}')) return text;
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Renders nodes as nginx.conf text, two spaces per level. */
export function renderNodes(nodes: readonly NginxNode[], depth = 0): string {
  const pad = '  '.repeat(depth);
  return nodes
    .map((node) => {
      if (node.kind === 'comment') return `${pad}# ${node.text}\n`;
      const head = [quote(node.name), ...node.values.map(quote)].join(' ');
      if (node.kind === 'directive') return `${pad}${head};\n`;
      return `${pad}${head} {\n${renderNodes(node.children, depth + 1)}${pad}}\n`;
    })
    .join('');
}

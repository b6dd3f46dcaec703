import { describe, expect, it } from 'vitest';
import { hasObjectOfMoreKeys } from './json-keys.ts';

const object = (n: number, value = '0') =>
  `{${Array.from({ length: n }, (_, i) => `"k${i}":${value}`).join(',')}}`;

describe('hasObjectOfMoreKeys', () => {
  it('counts the keys of each object, at any depth, up to the limit', () => {
    expect(hasObjectOfMoreKeys(object(40), 40)).toBe(false);
    expect(hasObjectOfMoreKeys(object(41), 40)).toBe(true);
    expect(hasObjectOfMoreKeys(`{"instances":[${object(41)}]}`, 40)).toBe(true);
    expect(hasObjectOfMoreKeys(`[${object(40)},${object(40)},${object(40)}]`, 40)).toBe(false);
    expect(hasObjectOfMoreKeys(`{"a":${object(41)}}`, 40)).toBe(true);
  });

  it("gives a nested object's keys to it, not to the object around it", () => {
    const nested = `{${Array.from({ length: 30 }, (_, i) => `"k${i}":${object(30)}`).join(',')}}`;
    expect(hasObjectOfMoreKeys(nested, 30)).toBe(false);
    expect(hasObjectOfMoreKeys(`{"a":[1,2,{"b":3}],${object(29).slice(1)}`, 30)).toBe(false);
    expect(hasObjectOfMoreKeys(`{"a":[1,2,{"b":3}],${object(30).slice(1)}`, 30)).toBe(true);
  });

  it('ignores colons, braces and escaped quotes inside strings', () => {
    const tricky = JSON.stringify({ a: '::::{{{"}}}:::'.repeat(20), b: '\\":\\', c: 'x\\' });
    expect(hasObjectOfMoreKeys(tricky, 3)).toBe(false);
    expect(hasObjectOfMoreKeys(`${tricky.slice(0, -1)},"d":1}`, 3)).toBe(true);
    expect(hasObjectOfMoreKeys(object(40, JSON.stringify('a:b,"c":d')), 40)).toBe(false);
  });

  it('leaves malformed text to JSON.parse', () => {
    expect(hasObjectOfMoreKeys('{"a": "unterminated', 1)).toBe(false);
    expect(hasObjectOfMoreKeys('}}}]]]:::', 1)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { num, table } from './markdown.ts';

describe('table', () => {
  it('writes a header, a right-aligned separator and rows', () => {
    expect(table(['a', 'b'], [['x', '1']])).toBe('| a | b |\n| --- | ---: |\n| x | 1 |');
  });
});

describe('num', () => {
  it('rounds large values to integers with separators and small ones to 3 digits', () => {
    expect(num(12345.6)).toBe('12,346');
    expect(num(Math.PI, ' ms')).toBe('3.14 ms');
    expect(num(null)).toBe('–');
    expect(num(Number.NaN)).toBe('–');
  });
});

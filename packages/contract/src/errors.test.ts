import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorBody, errorBodySchema } from './errors.ts';

describe('the error body', () => {
  it('is what errorBody builds, and nothing looser', () => {
    const body = errorBody('validation_failed', 'The request has 1 invalid field.', [
      { path: 'bmi', message: 'must be >= 10' },
    ]);
    expect(errorBodySchema.parse(body)).toEqual(body);
    expect(errorBodySchema.safeParse({ error: { code: 'x', message: 'y' } }).success).toBe(false);
  });

  it('gives every code an HTTP error status', () => {
    for (const [code, status] of Object.entries(ERROR_CODES)) {
      expect({ code, ok: status >= 400 && status < 600 }).toEqual({ code, ok: true });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, MyoError, isMyoError, toMyoError } from '../../src/core/errors.js';

describe('coded errors', () => {
  it('every code is MYO_ERR_* with an HTTP status and an exit code', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^MYO_ERR_[A-Z0-9_]+$/);
      expect(entry.httpStatus).toBeGreaterThanOrEqual(400);
      expect(entry.exitCode).toBeGreaterThan(0);
    }
  });

  it('carries code, details and cause, and serialises without a stack', () => {
    const cause = new Error('inner');
    const error = new MyoError('MYO_ERR_CONFIG_INVALID', 'bad', { path: 'a.b' }, { cause });
    expect(error.httpStatus).toBe(500);
    expect(error.exitCode).toBe(78);
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: 'MYO_ERR_CONFIG_INVALID', message: 'bad', details: { path: 'a.b' } });
    expect(isMyoError(error, 'MYO_ERR_CONFIG_INVALID')).toBe(true);
    expect(isMyoError(error, 'MYO_ERR_IO')).toBe(false);
  });

  it('wraps foreign errors with a fallback code', () => {
    const wrapped = toMyoError(new TypeError('boom'), 'MYO_ERR_IO');
    expect(wrapped.code).toBe('MYO_ERR_IO');
    expect(wrapped.message).toBe('boom');
    expect(toMyoError('text').code).toBe('MYO_ERR_INTERNAL');
  });
});

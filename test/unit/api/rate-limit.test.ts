import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/api/rate-limit.js';
import { LfsError } from '../../../src/errors.js';

function limiterAt(perMinute: number, burst: number) {
  const clock = { now: 1_000_000 };
  const limiter = createRateLimiter({ perMinute, burst }, () => clock.now);
  const attempt = (key = 'alice') => {
    try {
      limiter.take(key);
      return 'ok';
    } catch (error) {
      expect(error).toBeInstanceOf(LfsError);
      return (error as LfsError).extensions as { code: string; retryAfter: number };
    }
  };
  return { clock, attempt };
}

describe('token bucket rate limiter', () => {
  it.each([
    // perMinute, burst, calls allowed at once
    [60, 1, 1],
    [60, 5, 5],
    [1, 3, 3],
  ])('at %i/min with burst %i allows %i calls at once, then RATE_LIMITED', (perMinute, burst, allowed) => {
    const { attempt } = limiterAt(perMinute, burst);
    for (let i = 0; i < allowed; i++) expect(attempt()).toBe('ok');
    expect(attempt()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it.each([
    [60, 1],
    [6, 10],
    [1, 60],
    [120, 1],
  ])('at %i/min says to retry after %i s, and that is enough', (perMinute, retryAfter) => {
    const { clock, attempt } = limiterAt(perMinute, 1);
    attempt();
    expect(attempt()).toMatchObject({ code: 'RATE_LIMITED', retryAfter });
    clock.now += retryAfter * 1000;
    expect(attempt()).toBe('ok');
  });

  it('keeps one bucket per key', () => {
    const { attempt } = limiterAt(60, 1);
    expect(attempt('alice')).toBe('ok');
    expect(attempt('bob')).toBe('ok');
    expect(attempt('alice')).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('refills to the burst and no further', () => {
    const { clock, attempt } = limiterAt(60, 2);
    attempt();
    attempt();
    clock.now += 3600_000;
    expect([attempt(), attempt()]).toEqual(['ok', 'ok']);
    expect(attempt()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('forgets idle keys instead of growing without bound', () => {
    const { clock, attempt } = limiterAt(60_000, 1);
    for (let i = 0; i < 10_500; i++) attempt(`user-${i}`);
    clock.now += 1000;
    // The sweep ran and kept working; a forgotten key starts with a full bucket.
    expect(attempt('user-0')).toBe('ok');
  });
});

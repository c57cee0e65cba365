import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Promoter } from '../../../src/promotion/promote.js';
import { createPushIntake } from '../../../src/promotion/push-intake.js';
import type { DockObjectEvent } from '../../../src/promotion/s3-event.js';

const logger = pino({ level: 'silent' });
const push = (key: string, eTag = 'e1') =>
  JSON.stringify({ Records: [{ eventVersion: '2.2', eventSource: 'ceph:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'dock' }, object: { key, size: 1, eTag } } }] });

/** A promoter that fails the first `failures` calls, then succeeds; it records every call. */
function promoter(failures = 0, gate?: Promise<void>) {
  const promoted: string[] = [];
  const gaveUp: string[] = [];
  let calls = 0;
  const value: Promoter = {
    async promote(event: DockObjectEvent) {
      calls++;
      await gate;
      if (calls <= failures) throw new Error('engine down');
      promoted.push(event.key);
      return 'available';
    },
    async giveUp(event, reason) {
      gaveUp.push(`${event.key}: ${reason}`);
    },
  };
  return { value, promoted, gaveUp, calls: () => calls };
}

describe('the push intake', () => {
  it('promotes once when the same event is pushed twice, one after the other or at once', async () => {
    let open!: () => void;
    const p = promoter(0, new Promise<void>((resolve) => (open = resolve)));
    const intake = createPushIntake({ promoter: p.value, logger, maxAttempts: 3 });
    const both = Promise.all([intake.accept(push('uploads/a')), intake.accept(push('uploads/a'))]);
    open();
    expect(await both).toEqual([
      { kind: 'accepted', handled: 1 },
      { kind: 'accepted', handled: 1 },
    ]);
    expect(await intake.accept(push('uploads/a'))).toEqual({ kind: 'accepted', handled: 1 });
    expect(p.calls()).toBe(1);
  });

  it('asks for a retry while the promotion fails, and gives the file up (FAILED) at the last attempt', async () => {
    const p = promoter(Infinity);
    const intake = createPushIntake({ promoter: p.value, logger, maxAttempts: 3 });
    expect((await intake.accept(push('uploads/b'))).kind).toBe('retry');
    expect((await intake.accept(push('uploads/b'))).kind).toBe('retry');
    expect(await intake.accept(push('uploads/b'))).toEqual({ kind: 'accepted', handled: 1 });
    expect(p.gaveUp).toEqual(['uploads/b: promotion failed after 3 attempts: engine down']);
    // Settled: a later delivery of it changes nothing.
    expect((await intake.accept(push('uploads/b'))).kind).toBe('accepted');
    expect(p.calls()).toBe(3);
  });

  it('succeeds on a retry after a failure, without giving up', async () => {
    const p = promoter(1);
    const intake = createPushIntake({ promoter: p.value, logger, maxAttempts: 3 });
    expect((await intake.accept(push('uploads/c'))).kind).toBe('retry');
    expect((await intake.accept(push('uploads/c'))).kind).toBe('accepted');
    expect(p.promoted).toEqual(['uploads/c']);
    expect(p.gaveUp).toEqual([]);
  });

  it('accepts test events and refuses unreadable bodies without promoting', async () => {
    const p = promoter();
    const intake = createPushIntake({ promoter: p.value, logger, maxAttempts: 3 });
    expect(await intake.accept(JSON.stringify({ Event: 's3:TestEvent' }))).toEqual({ kind: 'accepted', handled: 0 });
    expect((await intake.accept('{')).kind).toBe('invalid');
    expect(p.calls()).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { createCredentialHolder, type WireCredentials } from '../../../src/client/credentials.js';
import { LfsError } from '../../../src/client/errors.js';

const credentials = (id: string, expiresAt: number): WireCredentials => ({
  accessKeyId: id,
  secretAccessKey: 's',
  sessionToken: 't',
  expiration: new Date(expiresAt).toISOString(),
});

/** A holder on a clock the test moves, with refreshes it scripts. */
function holderWith(answers: Array<WireCredentials | Error>, lifetimeMs = 80_000) {
  let clock = 0;
  let asked = 0;
  const holder = createCredentialHolder({
    initial: credentials('ticket', lifetimeMs),
    refresh: async () => {
      const answer = answers[asked++];
      if (answer instanceof Error) throw answer;
      return answer;
    },
    now: () => clock,
  });
  return { holder, tick: (ms: number) => (clock += ms), asked: () => asked };
}

describe('upload credentials in the client', () => {
  it('hands the SDK a Date as expiration (the SDK calls expiration.getTime())', async () => {
    const { holder } = holderWith([]);
    expect((await holder.provide()).expiration).toBeInstanceOf(Date);
  });

  it('refreshes only near expiry (an eighth of the lifetime, at most two minutes)', async () => {
    const { holder, tick, asked } = holderWith([credentials('pulled', 200_000)]);
    tick(60_000);
    expect((await holder.provide()).accessKeyId).toBe('ticket');
    tick(11_000);
    expect((await holder.provide()).accessKeyId).toBe('pulled');
    expect(asked()).toBe(1);
  });

  it('takes pushed credentials that last longer, and then has nothing to refresh', async () => {
    const { holder, tick, asked } = holderWith([]);
    tick(30_000);
    holder.accept(credentials('pushed', 110_000));
    holder.accept(credentials('older', 90_000));
    tick(40_000);
    expect((await holder.provide()).accessKeyId).toBe('pushed');
    expect(asked()).toBe(0);
  });

  it('near the ticket deadline, keeps its credentials when LFS refuses a refresh (CONFLICT), and does not ask again', async () => {
    const { holder, tick, asked } = holderWith([new LfsError('CONFLICT', 'deadline')]);
    tick(75_000);
    expect((await holder.provide()).accessKeyId).toBe('ticket');
    tick(3_000);
    expect((await holder.provide()).accessKeyId).toBe('ticket');
    expect(await holder.renewNow()).toBe(false);
    expect(asked()).toBe(1);
  });

  it('keeps working credentials through a failed refresh, tries again later, and fails once they are expired', async () => {
    const { holder, tick, asked } = holderWith([new LfsError('NETWORK', 'down'), new LfsError('NETWORK', 'down')]);
    tick(75_000);
    expect((await holder.provide()).accessKeyId).toBe('ticket');
    expect((await holder.provide()).accessKeyId).toBe('ticket');
    expect(asked()).toBe(1);
    tick(6_000);
    await expect(holder.provide()).rejects.toThrow('down');
  });

  it('renews at once after ExpiredToken, whatever the clock says', async () => {
    const { holder } = holderWith([credentials('renewed', 500_000)]);
    expect(await holder.renewNow()).toBe(true);
    expect(holder.current.accessKeyId).toBe('renewed');
  });
});

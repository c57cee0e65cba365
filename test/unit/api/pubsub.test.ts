import { describe, expect, it } from 'vitest';
import { createLfsPubSub } from '../../../src/api/pubsub.js';
import type { FileEvent } from '../../../src/files/model.js';

const event = (n: number) => ({ type: 'STATUS_CHANGED', at: new Date(n), file: { id: `f${n}` } }) as unknown as FileEvent;

describe('LfsPubSub', () => {
  it('delivers events published after subscribing, in order, to every subscriber', async () => {
    const pubsub = createLfsPubSub();
    const a = pubsub.subscribe('fileEvents')[Symbol.asyncIterator]();
    const b = pubsub.subscribe('fileEvents')[Symbol.asyncIterator]();
    const firstA = a.next();
    const firstB = b.next();
    pubsub.publish('fileEvents', event(1));
    pubsub.publish('fileEvents', event(2));
    expect((await firstA).value.file.id).toBe('f1');
    expect((await firstB).value.file.id).toBe('f1');
    expect((await a.next()).value.file.id).toBe('f2');
    await a.return!();
    await b.return!();
  });

  it('drops the oldest events of a subscriber that stops reading instead of throwing', async () => {
    const pubsub = createLfsPubSub({ bufferSize: 3 });
    const slow = pubsub.subscribe('fileEvents')[Symbol.asyncIterator]();
    const first = slow.next();
    // yoga's own pub/sub throws RepeaterOverflowError (an uncaught exception) past 1024.
    for (let n = 1; n <= 2000; n++) pubsub.publish('fileEvents', event(n));
    expect((await first).value.file.id).toBe('f1');
    const rest = [await slow.next(), await slow.next(), await slow.next()].map((result) => result.value.file.id);
    expect(rest).toEqual(['f1998', 'f1999', 'f2000']);
    await slow.return!();
  });
});

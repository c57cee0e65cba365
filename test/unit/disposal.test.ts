import { describe, expect, it } from 'vitest';
import { createDisposalStack } from '../../src/disposal.js';

describe('disposal stack', () => {
  it('closes newest first, each once', async () => {
    const stack = createDisposalStack();
    const closed: string[] = [];
    for (const name of ['repository', 'endpoint', 'server']) stack.defer(() => closed.push(name));
    await stack.dispose();
    await stack.dispose();
    expect(closed).toEqual(['server', 'endpoint', 'repository']);
  });

  it('closes the others when one close fails, then throws the first failure', async () => {
    const stack = createDisposalStack();
    const closed: string[] = [];
    stack.defer(() => closed.push('repository'));
    stack.defer(async () => {
      throw new Error('endpoint would not stop');
    });
    stack.defer(async () => {
      closed.push('server');
      throw new Error('server would not close');
    });
    await expect(stack.dispose()).rejects.toThrow('server would not close');
    expect(closed).toEqual(['server', 'repository']);
  });
});

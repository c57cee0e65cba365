import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomStream } from '../helpers/data.js';
import { awaitStatus, requestUpload } from '../helpers/files.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { uploadWithTicket } from '../helpers/uploader.js';

describe('a region other than us-east-1', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ LFS_AWS_REGION: 'eu-west-1' });
  });
  afterAll(() => stack?.stop());

  it('creates its buckets there and hands out tickets for it', async () => {
    const token = await stack.token('alice');
    const ticket = await requestUpload(stack, token, { name: 'eu.bin', size: 1024 });
    expect(ticket.target.region).toBe('eu-west-1');
    await uploadWithTicket(ticket, randomStream(1024).stream);
    expect((await awaitStatus(stack, token, ticket.file.id, ['AVAILABLE', 'FAILED'])).status).toBe('AVAILABLE');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE, FILE_AVAILABLE, FILE_EVENTS, REFRESH_CREDENTIALS, REQUEST_UPLOAD, type Ticket } from '../helpers/operations.js';
import { firstEvent, startStack, type Stack } from '../helpers/stack.js';
import { codesOf, collect, unchangedBy } from './attack.js';

const FILES = 'query { files(first: 100) { edges { node { id owner } } } }';
const CANCEL = 'mutation ($fileId: ID!) { cancelUpload(fileId: $fileId) { id status } }';
const LINK = 'mutation ($fileId: ID!) { createDownloadLink(fileId: $fileId, expiresIn: 600) { url } }';
const RESUME = 'mutation ($fileId: ID!) { resumeUpload(fileId: $fileId) { uploadId credentials { accessKeyId } } }';
const DECLARE = 'mutation ($fileId: ID!) { declareChecksum(fileId: $fileId, checksum: { algorithm: CRC32, value: "AAAAAA==" }) { id } }';
const PUSHED = 'subscription ($fileId: ID!) { uploadCredentials(fileId: $fileId) { accessKeyId } }';

/**
 * Alice's files, attacked by id by everyone who is not her nor an admin of
 * her tenant: another user of her tenant, an admin of another tenant, and a
 * user with her very subject in another tenant. They get null / NOT_FOUND
 * (never FORBIDDEN, so ids cannot be probed) and their subscriptions never
 * fire; nothing changes.
 */
describe("another owner's files", () => {
  let stack: Stack;
  let alice: string;
  let ticket: Ticket;
  const attackers: Array<[string, () => Promise<string>]> = [
    ['another user of the tenant', () => stack.token('mallory', { tenant: 'acme' })],
    ["an admin of another tenant", () => stack.token('root', { tenant: 'other', admin: true })],
    ['her subject in another tenant', () => stack.token('alice', { tenant: 'other' })],
    ['her subject in another tenant, as admin', () => stack.token('alice', { tenant: 'other', admin: true })],
  ];

  beforeAll(async () => {
    stack = await startStack({ LFS_PROMOTION_ENABLED: 'false' });
    alice = await stack.token('alice', { tenant: 'acme' });
    const response = await stack.graphql(alice, REQUEST_UPLOAD, { input: { name: 'payroll.xlsx', size: 1000 } });
    ticket = response.data.requestUpload;
  });
  afterAll(() => stack?.stop());

  it.each(attackers)('file(id) is null for %s', async (_label, token) => {
    const { data, errors } = await stack.graphql(await token(), FILE, { id: ticket.file.id });
    expect(errors).toBeUndefined();
    expect(data.file).toBeNull();
  });

  it.each(attackers)('files does not list it for %s', async (_label, token) => {
    const { data } = await stack.graphql(await token(), FILES);
    expect(data.files.edges.map((edge: any) => edge.node.id)).not.toContain(ticket.file.id);
  });

  it.each(attackers.flatMap(([label, token]) => [
    [label, 'refreshUploadCredentials', token, REFRESH_CREDENTIALS],
    [label, 'cancelUpload', token, CANCEL],
    [label, 'createDownloadLink', token, LINK],
    [label, 'resumeUpload', token, RESUME],
    [label, 'declareChecksum', token, DECLARE],
  ] as Array<[string, string, () => Promise<string>, string]>))('%s gets NOT_FOUND from %s and changes nothing', async (_label, _operation, token, mutation) => {
    const { data, errors } = await unchangedBy(stack, async () => stack.graphql(await token(), mutation, { fileId: ticket.file.id }));
    expect(codesOf({ errors })).toEqual(['NOT_FOUND']);
    expect(data).toBeNull();
    expect(JSON.stringify(errors)).not.toContain('payroll');
  });

  it.each([...attackers, ['an admin of her own tenant', () => stack.token('boss', { tenant: 'acme', admin: true })] as [string, () => Promise<string>]])(
    '%s gets NOT_FOUND from uploadCredentials: pushed credentials are the owner’s alone',
    async (_label, token) => {
      const { promise } = firstEvent(stack.ws(await token()), PUSHED, { fileId: ticket.file.id });
      await expect(promise).rejects.toThrow(/NOT_FOUND/);
    },
  );

  it('an unknown id answers exactly like a foreign one', async () => {
    const mallory = await stack.token('mallory', { tenant: 'acme' });
    const foreign = await stack.graphql(mallory, CANCEL, { fileId: ticket.file.id });
    const unknown = await stack.graphql(mallory, CANCEL, { fileId: '00000000-0000-4000-8000-000000000000' });
    expect(foreign.errors!.map((error) => error.message)).toEqual(unknown.errors!.map((error) => error.message));
  });

  it("no attacker's subscription fires for her file, while hers and her tenant admin's do", async () => {
    const tokens = await Promise.all(attackers.map(([, token]) => token()));
    const owner = firstEvent(stack.ws(alice), FILE_EVENTS, { fileId: ticket.file.id });
    const admin = firstEvent(stack.ws(await stack.token('boss', { tenant: 'acme', admin: true })), FILE_EVENTS, { fileId: ticket.file.id });
    const spies = tokens.map((token) => {
      const client = stack.ws(token);
      return {
        token,
        byId: collect(client, FILE_EVENTS, { fileId: ticket.file.id }),
        available: collect(client, FILE_AVAILABLE, { fileId: ticket.file.id }),
        // Subscribed last on the socket: once it sees the attacker's own
        // event, the subscriptions before it are live too.
        all: collect(client, FILE_EVENTS, {}),
      };
    });
    const ownFile = async (token: string) => {
      const own = (await stack.graphql(token, REQUEST_UPLOAD, { input: { name: 'own', size: 1 } })).data.requestUpload.file.id;
      await stack.graphql(token, CANCEL, { fileId: own });
      return own;
    };
    // Each attacker's subscriptions are live once it hears of a file of its own.
    await Promise.all(spies.map(async (spy) => {
      await ownFile(spy.token);
      await spy.all.waitFor(1);
    }));

    const cancelled = await stack.graphql(alice, CANCEL, { fileId: ticket.file.id });
    expect(cancelled.data.cancelUpload.status).toBe('CANCELLED');
    // Events are delivered in order: a second own event arriving proves Alice's was not delivered before it.
    await Promise.all(spies.map(async (spy) => {
      await ownFile(spy.token);
      await spy.all.waitFor(2);
    }));
    const [ownerEvent, adminEvent] = await Promise.all([owner.promise, admin.promise]);
    expect(ownerEvent.fileEvents.file.id).toBe(ticket.file.id);
    expect(adminEvent.fileEvents.file.id).toBe(ticket.file.id);
    for (const spy of spies) {
      for (const subscription of [spy.byId, spy.available, spy.all]) subscription.dispose();
      expect(spy.byId.events).toEqual([]);
      expect(spy.available.events).toEqual([]);
      expect(spy.all.events.map((event) => event.data.fileEvents.file.id)).not.toContain(ticket.file.id);
      expect([spy.byId.error, spy.available.error, spy.all.error]).toEqual([undefined, undefined, undefined]);
    }
  });

  it('an admin of her own tenant sees and acts on it (the control)', async () => {
    const boss = await stack.token('boss', { tenant: 'acme', admin: true });
    const { data } = await stack.graphql(boss, FILE, { id: ticket.file.id });
    expect(data.file).toMatchObject({ id: ticket.file.id, owner: 'alice' });
    const other = (await stack.graphql(alice, REQUEST_UPLOAD, { input: { name: 'b', size: 1 } })).data.requestUpload;
    expect((await stack.graphql(boss, REFRESH_CREDENTIALS, { fileId: other.file.id })).errors).toBeUndefined();
    expect((await stack.graphql(boss, CANCEL, { fileId: other.file.id })).data.cancelUpload.status).toBe('CANCELLED');
  });
});

import { Repeater } from 'graphql-yoga';
import type { UploadCredentials } from '../../credentials/issuer.js';
import { LfsError, conflict, notFound } from '../../errors.js';
import type { Caller, FileEvent } from '../../files/model.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { ownerKey, UploadCredentialsRef } from './upload.js';

/**
 * When to push the next credentials: `pushSeconds` before the current ones
 * expire, but no earlier than a quarter into their lifetime, so credentials
 * that live less than the push window are not pushed in a tight loop.
 */
export function nextPushAt(issuedAt: number, expiresAt: number, pushSeconds: number): number {
  return expiresAt - Math.min(pushSeconds * 1000, Math.max(0, expiresAt - issuedAt) * 0.75);
}

/**
 * Fresh credentials before the current ones expire, for as long as the file
 * is AWAITING_UPLOAD and the subscriber listens. Ends quietly when the file
 * leaves AWAITING_UPLOAD or its deadline leaves no room for another session
 * (LFS answers CONFLICT then, as refreshUploadCredentials does).
 */
function credentialPushes(services: Context['services'], caller: Caller, fileId: string, holding: Date | null): AsyncIterable<UploadCredentials> {
  const { credentialsTtlSeconds, credentialsPushSeconds } = services.config.uploads;
  return new Repeater<UploadCredentials>(async (push, stop) => {
    // The file's own events say when uploading is over, so a finished upload's subscription does not linger.
    const events = services.pubsub.subscribe('fileEvents');
    const over = (async () => {
      for await (const event of events as AsyncIterable<FileEvent>) if (event.file.id === fileId && event.file.status !== 'AWAITING_UPLOAD') return;
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      let issuedAt = Date.now();
      // Unknown or implausible: as if the subscriber held credentials issued just now.
      let expiresAt = Math.min(holding?.getTime() ?? Infinity, issuedAt + credentialsTtlSeconds * 1000);
      for (;;) {
        const due = new Promise<'due'>((resolve) => (timer = setTimeout(() => resolve('due'), Math.max(0, nextPushAt(issuedAt, expiresAt, credentialsPushSeconds) - Date.now()))));
        if ((await Promise.race([due, stop.then(() => 'stopped' as const), over.then(() => 'over' as const)])) !== 'due') break;
        let credentials: UploadCredentials;
        try {
          await services.rateLimits.refreshUploadCredentials.take(ownerKey(caller));
          credentials = await services.uploads.refreshUploadCredentials(caller, fileId);
        } catch (error) {
          if (error instanceof LfsError && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND')) break;
          throw error;
        }
        issuedAt = Date.now();
        expiresAt = credentials.expiration.getTime();
        await push(credentials);
      }
      stop();
    } finally {
      clearTimeout(timer);
      await events.return();
    }
  });
}

builder.subscriptionField('uploadCredentials', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: UploadCredentialsRef,
    description:
      'Fresh upload credentials for a file AWAITING_UPLOAD, delivered LFS_CREDENTIALS_PUSH_SECONDS before the current ones ' +
      'expire (at most three quarters of their lifetime before), then again before those expire, until the file leaves ' +
      'AWAITING_UPLOAD or its deadline allows no more. Only for the owner of the file (NOT_FOUND for anyone else, admins ' +
      'included). A client holding them needs no refreshUploadCredentials; it remains the fallback.',
    args: {
      fileId: t.arg.id({ required: true }),
      expiration: t.arg({
        type: 'DateTime',
        description: 'When the credentials the subscriber holds expire; the first push is timed from it. Default: as if issued now.',
      }),
    },
    subscribe: async (_root, { fileId, expiration }, { caller, services }) => {
      const file = await services.uploads.getFile(caller, String(fileId));
      // Credentials are the owner's alone: an admin who may see the file gets the answer a stranger gets.
      if (!file || file.owner !== caller.subject) throw notFound();
      if (file.status !== 'AWAITING_UPLOAD') throw conflict(`File is ${file.status}; credentials are only issued while AWAITING_UPLOAD`);
      return credentialPushes(services, caller, file.id, expiration ?? null);
    },
    resolve: (credentials) => credentials,
  }),
);

import { filter, map, pipe, Repeater } from 'graphql-yoga';
import { canSee, type Caller, type FileEvent, type FileRecord } from '../../files/model.js';
import { eventTypeFor, isFinal } from '../../files/states.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { FileRef } from './file.js';

const FileEventTypeEnum = builder.enumType('FileEventType', {
  values: {
    STATUS_CHANGED: { description: 'The status changed (see file.status).' },
    AVAILABLE: { description: 'The file is in the vault and can be downloaded.' },
    FAILED: { description: 'Promotion failed; see file.failureReason.' },
    PROGRESS: { description: 'A long vault copy advanced; see file.promotionProgress. No status change.' },
  } as const,
});

const FileEventRef = builder.objectRef<FileEvent>('FileEvent').implement({
  fields: (t) => ({
    type: t.field({ type: FileEventTypeEnum, resolve: (event) => event.type }),
    file: t.field({ type: FileRef, resolve: (event) => event.file }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened (for a replayed final state: when the file reached it).' }),
  }),
});

/**
 * Transitions the caller may see, optionally of one file. Unknown or foreign
 * ids simply never fire. With an id, a file that is already final (AVAILABLE,
 * FAILED, CANCELLED, EXPIRED) is delivered first, so a subscriber that comes
 * a moment late does not wait forever for an event that already went out.
 */
function visibleEvents(services: Context['services'], caller: Caller, fileId: string | null | undefined): AsyncIterable<FileEvent> {
  const live = pipe(
    services.pubsub.subscribe('fileEvents'),
    filter((event: FileEvent) => canSee(caller, event.file) && (fileId == null || event.file.id === fileId)),
  );
  return fileId == null ? live : currentStateFirst(live, () => services.uploads.getFile(caller, fileId));
}

/**
 * Subscribes first, then reads: an event published between the two is kept
 * by the subscription, and a final state read and then heard again is
 * delivered once (a final status never changes, so the live event with the
 * status just replayed is that same transition).
 */
function currentStateFirst(live: AsyncIterable<FileEvent>, current: () => Promise<FileRecord | undefined>): AsyncIterable<FileEvent> {
  // A Repeater rather than an async generator: an unsubscribe must end it at once, even while it waits for an event.
  return new Repeater<FileEvent>(async (push, stop) => {
    const events = live[Symbol.asyncIterator]();
    void stop.then(() => events.return?.());
    // Asking for the first event is what registers the listener (the pub/sub's iterators start lazily).
    const first = events.next();
    const file = await current();
    const replayed = file && isFinal(file.status) ? file.status : undefined;
    if (file && replayed) await push({ type: eventTypeFor(replayed), file, at: file.updatedAt });
    for (let next = await first; !next.done; next = await events.next()) {
      if (replayed && next.value.file.status === replayed) continue;
      await push(next.value);
    }
    stop();
  });
}

builder.subscriptionField('fileEvents', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: FileEventRef,
    description:
      "Every status transition of the caller's files (or of one file). With a fileId, a file already in a final state " +
      '(AVAILABLE, FAILED, CANCELLED, EXPIRED) is delivered at once, then live events: subscribing late misses nothing.',
    args: { fileId: t.arg.id() },
    subscribe: (_root, { fileId }, { caller, services }) => visibleEvents(services, caller, fileId == null ? null : String(fileId)),
    resolve: (event) => event,
  }),
);

builder.subscriptionField('fileAvailable', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: FileRef,
    description:
      "Fires when a file becomes AVAILABLE; all the caller's files when no id is given. With a fileId, a file that is " +
      'already AVAILABLE is delivered at once.',
    args: { fileId: t.arg.id() },
    subscribe: (_root, { fileId }, { caller, services }) =>
      pipe(
        visibleEvents(services, caller, fileId == null ? null : String(fileId)),
        filter((event: FileEvent) => event.type === 'AVAILABLE'),
        map((event: FileEvent) => event.file),
      ),
    resolve: (file) => file,
  }),
);

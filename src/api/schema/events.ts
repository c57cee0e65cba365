import { filter, map, pipe } from 'graphql-yoga';
import { canSee, type Caller, type FileEvent } from '../../files/model.js';
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
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

/** Transitions the caller may see, optionally of one file. Unknown or foreign ids simply never fire. */
function visibleEvents(services: Context['services'], caller: Caller, fileId: string | null | undefined) {
  return pipe(
    services.pubsub.subscribe('fileEvents'),
    filter((event: FileEvent) => canSee(caller, event.file) && (fileId == null || event.file.id === fileId)),
  );
}

builder.subscriptionField('fileEvents', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: FileEventRef,
    description: "Every status transition of the caller's files (or of one file).",
    args: { fileId: t.arg.id() },
    subscribe: (_root, { fileId }, { caller, services }) => visibleEvents(services, caller, fileId == null ? null : String(fileId)),
    resolve: (event) => event,
  }),
);

builder.subscriptionField('fileAvailable', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: FileRef,
    description: "Fires when a file becomes AVAILABLE; all the caller's files when no id is given.",
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

import { badInput } from '../../errors.js';
import type { FileRecord } from '../../files/model.js';
import { InvalidCursorError, type FilePage } from '../../files/repository.js';
import { builder } from '../builder.js';
import { FileRef, FileStatusEnum } from './file.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

// Hand-built rather than plugin-relay: the public contract fixes PageInfo to
// exactly hasNextPage and endCursor.
const FileEdgeRef = builder.objectRef<{ cursor: string; file: FileRecord }>('FileEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: FileRef, resolve: (edge) => edge.file }),
  }),
});

const PageInfoRef = builder.objectRef<FilePage>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.string({ nullable: true, resolve: (page) => page.items.at(-1)?.cursor ?? null }),
  }),
});

const FileConnectionRef = builder.objectRef<FilePage>('FileConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [FileEdgeRef], resolve: (page) => page.items }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (page) => page }),
  }),
});

builder.queryField('files', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: FileConnectionRef,
    description: "The caller's own files, newest first.",
    args: {
      first: t.arg.int({ defaultValue: DEFAULT_PAGE_SIZE, description: `Page size, at most ${MAX_PAGE_SIZE}.` }),
      after: t.arg.string(),
      status: t.arg({ type: FileStatusEnum }),
    },
    resolve: async (_root, args, { caller, services }) => {
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      if (first < 1) throw badInput('first', 'must be at least 1');
      try {
        return await services.files.list({
          tenant: caller.tenant,
          owner: caller.subject,
          status: args.status ?? undefined,
          first: Math.min(first, MAX_PAGE_SIZE),
          after: args.after ?? undefined,
        });
      } catch (error) {
        if (error instanceof InvalidCursorError) throw badInput('after', 'is not a cursor from this list');
        throw error;
      }
    },
  }),
);

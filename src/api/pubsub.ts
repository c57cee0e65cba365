import { createPubSub } from 'graphql-yoga';
import type { FileEvent } from '../files/model.js';

/** The typed event map of in-process pub/sub; every status transition is published on `fileEvents`. */
export type LfsEvents = {
  fileEvents: [event: FileEvent];
};

/**
 * `eventTarget` swaps the in-process transport for a shared one (PostgreSQL
 * LISTEN/NOTIFY when several instances run) or an instrumented one in tests.
 */
export type LfsPubSubOptions = NonNullable<Parameters<typeof createPubSub<LfsEvents>>[0]>;

export function createLfsPubSub(options?: LfsPubSubOptions) {
  return createPubSub<LfsEvents>(options);
}

export type LfsPubSub = ReturnType<typeof createLfsPubSub>;

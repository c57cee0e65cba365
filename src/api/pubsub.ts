import { createPubSub } from 'graphql-yoga';
import type { FileEvent } from '../files/model.js';

/** The typed event map of in-process pub/sub; every status transition is published on `fileEvents`. */
export type LfsEvents = {
  fileEvents: [event: FileEvent];
};

export function createLfsPubSub() {
  return createPubSub<LfsEvents>();
}

export type LfsPubSub = ReturnType<typeof createLfsPubSub>;

import type { FileEvent } from './model.js';

/**
 * The port the domain reports to: every committed status change of a file,
 * and the progress of a long vault copy, as a `FileEvent`. Who hears about it
 * (GraphQL subscriptions through pub/sub, back ends through the outbox relay
 * and the file-events queue) is plugged in by the composition root; the
 * domain knows none of them.
 */
export interface FileEvents {
  /** Resolves once every subscriber has taken the event. */
  publish(event: FileEvent): Promise<void>;
}

/** One transport's end of the port. */
export type FileEventSubscriber = (event: FileEvent) => void | Promise<void>;

/**
 * Hands each event to the subscribers in the order given, each awaited
 * before the next, so the order of delivery is the order of registration.
 */
export function createFileEvents(subscribers: readonly FileEventSubscriber[]): FileEvents {
  return {
    async publish(event) {
      for (const subscriber of subscribers) await subscriber(event);
    },
  };
}

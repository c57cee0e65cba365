import { setMaxListeners } from 'node:events';
import { Repeater, SlidingBuffer } from 'graphql-yoga';
import type { FileEventSubscriber } from '../files/events.js';
import type { FileEvent } from '../files/model.js';

/** The typed event map of in-process pub/sub; every status transition is published on `fileEvents`. */
export type LfsEvents = {
  fileEvents: [event: FileEvent];
};

export interface LfsPubSubOptions {
  /**
   * The transport: in process by default, or an instrumented one in tests.
   * Events carry their payload in `detail`, as yoga's pub/sub does. (With
   * PostgreSQL, other instances' events arrive through db/listener.ts, which
   * publishes them here like local ones.)
   */
  eventTarget?: EventTarget;
  /** Undelivered events kept per subscriber; older ones are dropped beyond this. @default 256 */
  bufferSize?: number;
}

export interface LfsPubSub {
  publish<Topic extends keyof LfsEvents>(topic: Topic, ...payload: LfsEvents[Topic]): void;
  /** Every event published on `topic` from now on, until the consumer returns. */
  subscribe<Topic extends keyof LfsEvents>(topic: Topic): Repeater<LfsEvents[Topic][0]>;
}

/**
 * yoga's createPubSub, but each subscriber gets its own sliding buffer: with
 * yoga's default, a subscriber that stops reading (a stalled socket) makes the
 * 1025th pending event throw RepeaterOverflowError inside dispatchEvent, which
 * Node reports as an uncaught exception and the process dies. Subscriptions
 * are notifications (clients re-read with `file`), so dropping the oldest
 * undelivered events of one slow subscriber is the right trade.
 */
export function createLfsPubSub(options: LfsPubSubOptions = {}): LfsPubSub {
  const target = options.eventTarget ?? new EventTarget();
  // Every open subscription listens here (thousands, by design): Node's leak warning beyond 10 would be noise.
  setMaxListeners(0, target);
  const bufferSize = options.bufferSize ?? 256;
  return {
    publish(topic, ...[payload]) {
      target.dispatchEvent(new CustomEvent(topic, { detail: payload }));
    },
    subscribe<Topic extends keyof LfsEvents>(topic: Topic) {
      return new Repeater<LfsEvents[Topic][0]>((push, stop) => {
        const listener = (event: Event) => void push((event as CustomEvent<LfsEvents[Topic][0]>).detail);
        target.addEventListener(topic, listener);
        void stop.then(() => target.removeEventListener(topic, listener));
      }, new SlidingBuffer(bufferSize));
    },
  };
}

/** The GraphQL subscriptions' end of the file-events port: every event goes out on `fileEvents`. */
export function subscriptionsOf(pubsub: LfsPubSub): FileEventSubscriber {
  return (event) => pubsub.publish('fileEvents', event);
}

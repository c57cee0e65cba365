import { isAsyncIterable, Repeater, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { LfsError } from '../errors.js';

/** setTimeout's longest delay (~24.8 days): longer-lived tokens end their streams then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ends a subscription (SSE or graphql-ws) when the token that opened it
 * expires: one last UNAUTHENTICATED error, then completion. graphql-ws also
 * closes the whole socket with 4401; SSE has only this. The context carries
 * `tokenExpiresAt` when the request was authenticated.
 */
export function useTokenExpiry(): Plugin<{ tokenExpiresAt?: Date }> {
  return {
    onSubscribe: ({ args }) => ({
      onSubscribeResult: ({ result, setResult }) => {
        const expiresAt = args.contextValue.tokenExpiresAt;
        if (expiresAt && isAsyncIterable(result)) setResult(until(result, expiresAt));
      },
    }),
  };
}

function until(source: AsyncIterable<ExecutionResult>, expiresAt: Date): AsyncIterableIterator<ExecutionResult> {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    const timer = setTimeout(
      () => {
        void push({ errors: [new LfsError('UNAUTHENTICATED', 'Token expired')] }).then(() => stop());
      },
      Math.min(MAX_TIMER_MS, Math.max(0, expiresAt.getTime() - Date.now())),
    );
    void stop.then(() => {
      clearTimeout(timer);
      void iterator.return?.();
    });
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), stop.then(() => ({ done: true as const, value: undefined }))]);
        if (next.done) break;
        await push(next.value);
      }
      stop();
    } catch (error) {
      stop(error);
    }
  });
}

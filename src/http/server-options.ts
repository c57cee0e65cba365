import type { ServerOptions } from 'node:http';
import type { Config } from '../config.js';

/**
 * node:http timeouts against slow-loris clients: a request must deliver its
 * headers within `headersTimeoutSeconds` and its whole body within
 * `requestTimeoutSeconds`, or the socket is dropped (Node answers 408).
 * Responses are not limited, so SSE subscriptions stay open. Node checks
 * these only every `connectionsCheckingInterval` (30 s by default), which
 * would let a short timeout run several times over; once a second is cheap.
 */
export function httpServerOptions(config: Pick<Config, 'api'>): ServerOptions {
  const requestTimeout = config.api.requestTimeoutSeconds * 1000;
  const headersTimeout = config.api.headersTimeoutSeconds * 1000;
  return {
    requestTimeout,
    // Node refuses a headers timeout longer than a non-zero request timeout.
    headersTimeout: requestTimeout > 0 ? Math.min(headersTimeout, requestTimeout) : headersTimeout,
    connectionsCheckingInterval: Math.min(1000, headersTimeout / 2),
  };
}

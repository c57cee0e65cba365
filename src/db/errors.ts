import { DatabaseUnavailableError } from '../files/repository.js';
import type { Dialect } from './schema.js';

/** Node's socket errors when the server is down or the network between is. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * PostgreSQL's SQLSTATEs of an unreachable or unwilling server: connection
 * exceptions (08…), shutdown and restarts (57P01-57P03), too many
 * connections (53300), and a statement cancelled by the statement timeout
 * (57014), which under load means "try again".
 */
const UNAVAILABLE_STATES = /^(08...|57P0[1-3]|53300|57014)$/;

/** node-postgres reports some connection failures only in the message. */
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down)/i;

export function isUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || UNAVAILABLE_STATES.test(code))) return true;
  if (UNAVAILABLE_MESSAGES.test(error.message)) return true;
  // AggregateError (several addresses refused) and errors wrapping a cause.
  const inner = (error as { errors?: unknown[] }).errors ?? [(error as { cause?: unknown }).cause];
  return inner.some((cause) => cause !== undefined && cause !== error && isUnavailable(cause));
}

/**
 * Every method of `target`, with failures to reach PostgreSQL turned into
 * `DatabaseUnavailableError`, which the API answers as UNAVAILABLE
 * (retryable) and background loops wait out. SQLite is a local file: its
 * errors stay what they are.
 */
export function guardAvailability<T extends object>(target: T, dialect: Dialect): T {
  if (dialect !== 'postgres') return target;
  const guarded = {} as Record<string, unknown>;
  for (const [name, value] of Object.entries(target)) {
    guarded[name] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            } catch (error) {
              throw isUnavailable(error) && !(error instanceof DatabaseUnavailableError) ? new DatabaseUnavailableError(error) : error;
            }
          }
        : value;
  }
  return guarded as T;
}

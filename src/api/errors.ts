import { GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { errorCodes, unavailable } from '../errors.js';
import { DatabaseUnavailableError } from '../files/repository.js';

const INTERNAL_MESSAGE = errorCodes.INTERNAL.message;

/**
 * Errors a client may see: ours (LfsError), and GraphQL's own about the
 * request (syntax, validation, variable coercion), which carry no foreign
 * original error. Anything else is a bug or an outage and its text could leak
 * internals (SQL, paths, AWS messages).
 */
export function isPublicError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError === undefined || error.originalError instanceof GraphQLError;
}

/**
 * The INTERNAL error that replaces `error`; the original goes to the log with
 * the request id. A database that cannot be reached is UNAVAILABLE instead
 * (retryable): an outage, not a bug, and the client should try again.
 */
export function maskInternalError(error: unknown, logger: Logger, requestId?: string): GraphQLError {
  const located = error instanceof GraphQLError ? error : undefined;
  const original = located?.originalError ?? error;
  if (original instanceof DatabaseUnavailableError) {
    logger.warn({ err: original, requestId, path: located?.path }, 'the database is unavailable');
    const answer = unavailable();
    return new GraphQLError(answer.message, {
      nodes: located?.nodes,
      path: located?.path,
      extensions: { ...answer.extensions, ...(requestId ? { requestId } : {}) },
    });
  }
  logger.error({ err: located?.originalError ?? error, requestId, path: located?.path }, 'unexpected error in a GraphQL operation');
  return new GraphQLError(INTERNAL_MESSAGE, {
    nodes: located?.nodes,
    path: located?.path,
    extensions: { code: 'INTERNAL', ...(requestId ? { requestId } : {}) },
  });
}

/**
 * Masks execution and subscription errors while the operation's context (and
 * so its request id) is still at hand; yoga's `maskedErrors` only sees the
 * error. Registered before yoga's masking, which then finds nothing left.
 */
export function useOperationErrorMasking(logger: Logger): Plugin<{ requestId?: string }> {
  const maskResult = (payload: Parameters<typeof handleStreamOrSingleExecutionResult>[0]) =>
    handleStreamOrSingleExecutionResult(payload, ({ args, result, setResult }) => {
      if (!result.errors?.some((error) => !isPublicError(error))) return;
      const requestId = (args.contextValue as { requestId?: string }).requestId;
      setResult({
        ...result,
        errors: result.errors.map((error) => (isPublicError(error) ? error : maskInternalError(error, logger, requestId))),
      });
    });
  return {
    onExecute: () => ({ onExecuteDone: maskResult }),
    onSubscribe: ({ args }) => ({
      onSubscribeResult: maskResult,
      // A subscription source that throws mid-stream ends the stream with this error.
      onSubscribeError: ({ error, setError }) => {
        if (!isPublicError(error)) setError(maskInternalError(error, logger, args.contextValue.requestId));
      },
    }),
  };
}

import { getOperationAST, type ExecutionArgs, type GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Context } from './context.js';

/**
 * One structured line per operation: who (subject, tenant), what (type and
 * name), how it ended (error codes) and how long it took, with the request
 * id. Never the variables or the document: they carry names and metadata
 * that are the users' business, and tokens never reach this far.
 */
export function useOperationLog(logger: Logger): Plugin {
  const describe = (args: ExecutionArgs) => {
    const context = args.contextValue as Context;
    const operation = getOperationAST(args.document, args.operationName);
    return {
      requestId: context.requestId,
      subject: context.caller?.subject,
      tenant: context.caller?.tenant,
      operation: operation?.operation,
      operationName: operation?.name?.value,
    };
  };
  const codes = (errors: readonly GraphQLError[] | undefined) => errors?.map((error) => error.extensions?.code ?? 'GRAPHQL');
  return {
    onExecute: ({ args }) => {
      const started = performance.now();
      return {
        onExecuteDone: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result }) => {
            logger.info({ ...describe(args), errors: codes(result.errors), ms: Math.round(performance.now() - started) }, 'graphql operation');
          }),
      };
    },
    onSubscribe: ({ args }) => {
      logger.info(describe(args), 'graphql subscription started');
      return {};
    },
  };
}

import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import { notFound, unauthenticated } from '../errors.js';
import { canSee, type FileRecord } from '../files/model.js';
import type { AuthenticatedContext, Context } from './context.js';

/**
 * The one Pothos builder. It defines no types: each file under schema/ adds
 * its own, so a type lives beside its fields, queries and mutations.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  // Non-null unless a field says otherwise, as in the public contract.
  DefaultFieldNullability: false;
  AuthScopes: {
    /** A verified token came with the request. */
    authenticated: boolean;
    /** The caller owns the file, or administers its tenant. */
    fileVisible: FileRecord;
  };
  AuthContexts: { authenticated: AuthenticatedContext };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    SafeInt: { Input: number; Output: number };
  };
}>({
  plugins: [ScopeAuthPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Check subscriptions once when they start rather than on every event.
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      authenticated: context.caller !== undefined,
      fileVisible: (file) => context.caller !== undefined && canSee(context.caller, file),
    }),
    // A file the caller may not see does not exist for them: NOT_FOUND, never FORBIDDEN, so ids cannot be probed.
    unauthorizedError: (_parent, _context, _info, result) => (failedOn(result.failure, 'fileVisible') ? notFound() : unauthenticated()),
  },
});

function failedOn(failure: AuthFailure, scope: string): boolean {
  if ('scope' in failure && failure.scope === scope) return true;
  return 'failures' in failure && failure.failures.some((inner) => failedOn(inner, scope));
}

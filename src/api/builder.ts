import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { unauthenticated } from '../errors.js';
import type { AuthenticatedContext, Context } from './context.js';

/**
 * The one Pothos builder. It defines no types: each file under schema/ adds
 * its own, so a type lives beside its fields, queries and mutations.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  // Non-null unless a field says otherwise, as in the public contract.
  DefaultFieldNullability: false;
  AuthScopes: { authenticated: boolean };
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
    authScopes: (context) => ({ authenticated: context.caller !== undefined }),
    unauthorizedError: () => unauthenticated(),
  },
});

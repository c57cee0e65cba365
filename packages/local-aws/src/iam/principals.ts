import type { ConditionContext, PolicyStatement, Principal } from '../types.js';

/**
 * Who a resource-policy statement names, and the global condition keys a
 * principal brings to every request.
 */

type PrincipalElement = NonNullable<PolicyStatement['Principal']>;

/** Which names in a Principal element's `AWS` list identify `principal`. */
export interface PrincipalMatch {
  /** The statement names this principal at all. */
  matches: boolean;
  /**
   * It was named by its session ARN (or `*`), not only through its role:
   * AWS then grants resource-policy permissions without the session-policy
   * cap. Named by role ARN, the session policy still limits the grant.
   */
  bySession: boolean;
}

const NO_MATCH: PrincipalMatch = { matches: false, bySession: false };

function awsNames(element: PrincipalElement): string[] | '*' {
  if (element === '*') return '*';
  const names: string[] = [];
  for (const [kind, value] of Object.entries(element)) {
    const list = Array.isArray(value) ? value : [value];
    // Only the AWS kind names identities of this endpoint; Service,
    // Federated and CanonicalUser principals never sign our requests.
    if (kind === 'AWS') names.push(...list);
  }
  return names.includes('*') ? '*' : names;
}

export function matchPrincipal(element: PrincipalElement, principal: Principal, forDeny: boolean): PrincipalMatch {
  const names = awsNames(element);
  if (names === '*') return { matches: true, bySession: true };
  if (principal.kind === 'anonymous') return NO_MATCH;
  const accountNames = [principal.accountId, `arn:aws:iam::${principal.accountId}:root`];
  if (principal.kind === 'root') {
    return names.some((name) => accountNames.includes(name) || name === principal.arn)
      ? { matches: true, bySession: true }
      : NO_MATCH;
  }
  if (names.includes(principal.arn)) return { matches: true, bySession: true };
  if (names.includes(principal.roleArn)) return { matches: true, bySession: false };
  // Naming the account delegates to the account's own policies: it grants a
  // role nothing by itself, but a Deny on the account reaches everyone in it.
  if (forDeny && names.some((name) => accountNames.includes(name))) return { matches: true, bySession: false };
  return NO_MATCH;
}

/**
 * Whether a NotPrincipal element spares `principal`. AWS evaluates a request
 * as every identity it carries (the account, the role, the session), and a
 * Deny reaches any of them that is not named: a principal is spared only
 * when all of them are, as the IAM guide's examples list them. Naming the
 * account alone spares its root user only; a role, not its sessions.
 */
export function sparedByNotPrincipal(element: PrincipalElement, principal: Principal): boolean {
  const names = awsNames(element);
  if (names === '*') return true;
  if (!('accountId' in principal)) return false;
  const accountNamed = names.includes(principal.accountId) || names.includes(`arn:aws:iam::${principal.accountId}:root`);
  if (!accountNamed) return false;
  if (principal.kind === 'root') return true;
  return names.includes(principal.arn) && (!('roleArn' in principal) || names.includes(principal.roleArn));
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

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

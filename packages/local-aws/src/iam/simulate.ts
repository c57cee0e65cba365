import type { ConditionContext, PolicyDocument } from '../types.js';
import { evaluate, type Decision } from './policy.js';

/** One question for `simulatePolicy`: may a role session do `action` on `resource`? */
export interface PolicySimulation {
  /** The role's identity policies: one of them must allow the action. */
  rolePolicies: PolicyDocument[];
  /** The inline session policy given to AssumeRole: when present, it must allow the action too. */
  sessionPolicy?: PolicyDocument;
  /** The resource's own policy (a bucket policy), when it has one. */
  resourcePolicy?: PolicyDocument;
  /** `service:Action`, e.g. `s3:PutObject`. */
  action: string;
  /** The resource's ARN, e.g. `arn:aws:s3:::bucket/key`. */
  resource: string;
  /** Values of the request's condition keys, e.g. `{ 's3:x-amz-server-side-encryption': 'aws:kms' }`. */
  context?: ConditionContext;
  /**
   * The session, as resource policies and the `aws:` condition keys see it.
   * @default { roleArn: 'arn:aws:iam::000000000000:role/simulated', sessionName: 'simulated' }
   */
  caller?: { roleArn: string; sessionName: string };
}

/**
 * The endpoint's policy evaluation, without a request: what it would decide
 * for a session of a role with these policies, as IAM's
 * `SimulateCustomPolicy` answers for AWS. An explicit Deny anywhere wins;
 * otherwise the role's policies and the session policy must both allow, or
 * the resource policy must allow the session by name.
 */
export function simulatePolicy(simulation: PolicySimulation): Decision {
  const { roleArn, sessionName } = simulation.caller ?? { roleArn: 'arn:aws:iam::000000000000:role/simulated', sessionName: 'simulated' };
  const [, , , , accountId = '', rolePath = ''] = roleArn.split(':');
  const roleName = rolePath.split('/').pop() ?? '';
  return evaluate({
    principal: {
      kind: 'assumed-role',
      accessKeyId: 'ASIASIMULATED',
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      roleArn,
      accountId,
      sessionName,
      rolePolicies: simulation.rolePolicies,
      sessionPolicy: simulation.sessionPolicy,
      expiration: new Date(Date.now() + 3_600_000),
    },
    action: simulation.action,
    resource: simulation.resource,
    context: simulation.context ?? {},
    resourcePolicy: simulation.resourcePolicy,
  });
}

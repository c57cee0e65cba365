import { AwsError } from '../errors.js';
import type { CredentialStore } from '../iam/credentials.js';
import { evaluate, parsePolicy } from '../iam/policy.js';
import { callerName } from '../iam/principals.js';
import type { RoleStore } from '../iam/roles.js';
import type { AwsRequest, AwsResponse, PolicyDocument } from '../types.js';
import { stsResponse } from './response.js';

export interface AssumeRoleDeps {
  credentials: CredentialStore;
  roles: RoleStore;
  minSessionDurationSeconds: number;
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/;
/** The plaintext policy limit; whitespace does not count, as AWS packs the policy first. */
const PACKED_POLICY_LIMIT = 2048;
/** Guards the JSON parser against absurd inputs before packing. */
const RAW_POLICY_LIMIT = 64 * 1024;

function validation(message: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: ${message}`);
}

const callerArn = callerName;

function parseDuration(text: string | null, min: number, max: number): number {
  if (text === null) return Math.max(min, Math.min(3600, max));
  if (!/^\d+$/.test(text)) throw validation(`Value '${text}' at 'durationSeconds' failed to satisfy constraint: Member must be an integer`);
  const duration = Number(text);
  if (duration < min) {
    throw validation(`Value '${text}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  }
  if (duration > max) {
    throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  return duration;
}

function parseSessionPolicy(text: string | null): { policy?: PolicyDocument; packedPercent?: number } {
  if (text === null) return {};
  if (text.length === 0 || text.length > RAW_POLICY_LIMIT) {
    throw validation(`Value at 'policy' failed to satisfy constraint: Member must have length between 1 and ${RAW_POLICY_LIMIT}`);
  }
  const policy = parsePolicy(text, 'MalformedPolicyDocument');
  const packed = JSON.stringify(policy).length;
  if (packed > PACKED_POLICY_LIMIT) {
    throw new AwsError('PackedPolicyTooLarge', `Packed size of the session policy is ${Math.ceil((packed * 100) / PACKED_POLICY_LIMIT)}% of the limit.`);
  }
  return { policy, packedPercent: Math.ceil((packed * 100) / PACKED_POLICY_LIMIT) };
}

/**
 * AssumeRole for the Query protocol. The role's trust policy decides, as IAM
 * evaluates it: naming the caller (user, role, session) lets it in from the
 * same account; naming the caller's account delegates to the caller's own
 * policies, which must then allow `sts:AssumeRole` on the role; a caller of
 * another account needs both. Unlike AWS, the root user may assume a role
 * whose trust policy lets its account in (LFS's embedded mode runs as root).
 */
export function assumeRole(deps: AssumeRoleDeps, request: AwsRequest, params: URLSearchParams): AwsResponse {
  const roleArn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  if (!roleArn) throw validation("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  if (!sessionName) throw validation("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  if (!SESSION_NAME.test(sessionName)) {
    throw validation(
      `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}`,
    );
  }
  if (!ROLE_ARN.test(roleArn)) throw validation(`Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must be a role ARN`);
  if ([...params.keys()].some((key) => key.startsWith('PolicyArns.') || key.startsWith('Tags.'))) {
    throw new AwsError('NotImplemented', 'PolicyArns and Tags are not supported by this endpoint.');
  }

  const { principal } = request;
  const denied = () =>
    new AwsError('AccessDenied', `User: ${callerArn(principal)} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  if (principal.kind === 'anonymous' || principal.kind === 'service') throw denied();
  const role = deps.roles.get(roleArn);
  // A missing role reads as a refusal, as AWS answers, so role names cannot be probed.
  if (!role) throw denied();
  const decision = evaluate({
    principal,
    action: 'sts:AssumeRole',
    resource: roleArn,
    context: { 'aws:SourceIp': request.sourceIp, 'aws:SecureTransport': request.secure ? 'true' : 'false' },
    resourcePolicy: role.trustPolicy,
    resourceAccount: role.accountId,
    resourcePolicyRequired: true,
  });
  if (decision !== 'Allow') throw denied();

  const durationSeconds = parseDuration(params.get('DurationSeconds'), deps.minSessionDurationSeconds, role.maxSessionDurationSeconds);
  const { policy, packedPercent } = parseSessionPolicy(params.get('Policy'));
  const session = deps.credentials.issue({ roleArn, sessionName, durationSeconds, sessionPolicy: policy });

  return stsResponse('AssumeRole', request.requestId, {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: session.expiration.toISOString().replace('.000Z', 'Z'),
    },
    AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.assumedRoleArn },
    PackedPolicySize: packedPercent,
  });
}

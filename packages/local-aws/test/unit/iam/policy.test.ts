import { describe, expect, it } from 'vitest';
import { isAwsError } from '../../../src/errors.js';
import { evaluate, parsePolicy } from '../../../src/iam/policy.js';
import type { ConditionContext, PolicyDocument, PolicyStatement, Principal } from '../../../src/types.js';

const account = '123456789012';
const roleArn = `arn:aws:iam::${account}:role/uploader`;
const sessionArn = `arn:aws:sts::${account}:assumed-role/uploader/s1`;
const root: Principal = { kind: 'root', accessKeyId: 'AKIA', arn: `arn:aws:iam::${account}:root`, accountId: account };
const anonymous: Principal = { kind: 'anonymous' };

function session(rolePolicies: PolicyDocument[], sessionPolicy?: PolicyDocument): Principal {
  return {
    kind: 'assumed-role',
    accessKeyId: 'ASIA',
    arn: sessionArn,
    roleArn,
    accountId: account,
    sessionName: 's1',
    rolePolicies,
    sessionPolicy,
    expiration: new Date(Date.now() + 3600_000),
  };
}

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const allowAll = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
const objectArn = 'arn:aws:s3:::dock/uploads/f1';

/** Evaluates one Allow statement with a condition against a context. */
function conditionResult(condition: PolicyStatement['Condition'], context: ConditionContext) {
  return evaluate({
    principal: session([doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: condition })]),
    action: 's3:PutObject',
    resource: objectArn,
    context,
  });
}

describe('condition operators', () => {
  it.each([
    ['StringEquals match', { StringEquals: { 's3:x': 'a' } }, { 's3:x': 'a' }, 'Allow'],
    ['StringEquals case matters', { StringEquals: { 's3:x': 'a' } }, { 's3:x': 'A' }, 'ImplicitDeny'],
    ['StringEquals values are ORed', { StringEquals: { 's3:x': ['a', 'b'] } }, { 's3:x': 'b' }, 'Allow'],
    ['StringEquals missing key', { StringEquals: { 's3:x': 'a' } }, {}, 'ImplicitDeny'],
    ['condition keys are case-insensitive', { StringEquals: { 'S3:X': 'a' } }, { 's3:x': 'a' }, 'Allow'],
    ['StringNotEquals differs', { StringNotEquals: { 's3:x': ['a', 'b'] } }, { 's3:x': 'c' }, 'Allow'],
    ['StringNotEquals same', { StringNotEquals: { 's3:x': ['a', 'b'] } }, { 's3:x': 'b' }, 'ImplicitDeny'],
    ['StringNotEquals missing key holds', { StringNotEquals: { 's3:x': 'a' } }, {}, 'Allow'],
    ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 's3:x': 'ABC' } }, { 's3:x': 'abc' }, 'Allow'],
    ['StringNotEqualsIgnoreCase', { StringNotEqualsIgnoreCase: { 's3:x': 'ABC' } }, { 's3:x': 'abc' }, 'ImplicitDeny'],
    ['StringLike *', { StringLike: { 's3:x': 'uploads/*' } }, { 's3:x': 'uploads/a/b' }, 'Allow'],
    ['StringLike ?', { StringLike: { 's3:x': 'f?' } }, { 's3:x': 'f12' }, 'ImplicitDeny'],
    ['StringLike regex chars are literal', { StringLike: { 's3:x': 'a.c' } }, { 's3:x': 'abc' }, 'ImplicitDeny'],
    ['StringNotLike', { StringNotLike: { 's3:x': 'tmp/*' } }, { 's3:x': 'uploads/a' }, 'Allow'],
    ['Bool true', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' }, 'Allow'],
    ['Bool with a JSON boolean', { Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'true' }, 'Allow'],
    ['Bool false vs true', { Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'true' }, 'ImplicitDeny'],
    ['Null true on a missing key', { Null: { 's3:x': 'true' } }, {}, 'Allow'],
    ['Null true on a present key', { Null: { 's3:x': 'true' } }, { 's3:x': 'a' }, 'ImplicitDeny'],
    ['Null false on a present key', { Null: { 's3:x': 'false' } }, { 's3:x': 'a' }, 'Allow'],
    ['Null false on an empty list', { Null: { 's3:x': 'false' } }, { 's3:x': [] }, 'ImplicitDeny'],
    ['NumericEquals', { NumericEquals: { 's3:n': '10' } }, { 's3:n': '10.0' }, 'Allow'],
    ['NumericNotEquals', { NumericNotEquals: { 's3:n': 10 } }, { 's3:n': '11' }, 'Allow'],
    ['NumericLessThan', { NumericLessThan: { 's3:n': '10' } }, { 's3:n': '10' }, 'ImplicitDeny'],
    ['NumericLessThanEquals', { NumericLessThanEquals: { 's3:n': '10' } }, { 's3:n': '10' }, 'Allow'],
    ['NumericGreaterThan', { NumericGreaterThan: { 's3:n': '10' } }, { 's3:n': '11' }, 'Allow'],
    ['NumericGreaterThanEquals', { NumericGreaterThanEquals: { 's3:n': '10' } }, { 's3:n': '9' }, 'ImplicitDeny'],
    ['Numeric on a non-number', { NumericEquals: { 's3:n': '10' } }, { 's3:n': 'ten' }, 'ImplicitDeny'],
    ['DateLessThan ISO', { DateLessThan: { 'aws:CurrentTime': '2999-01-01T00:00:00Z' } }, {}, 'Allow'],
    ['DateGreaterThan ISO', { DateGreaterThan: { 'aws:CurrentTime': '2999-01-01T00:00:00Z' } }, {}, 'ImplicitDeny'],
    ['DateGreaterThan epoch', { DateGreaterThan: { 'aws:EpochTime': '1000' } }, {}, 'Allow'],
    ['DateEquals', { DateEquals: { 's3:d': '2020-01-01T00:00:00Z' } }, { 's3:d': '2020-01-01T00:00:00.000Z' }, 'Allow'],
    ['DateNotEquals', { DateNotEquals: { 's3:d': '2020-01-01T00:00:00Z' } }, { 's3:d': '2021-01-01T00:00:00Z' }, 'Allow'],
    ['DateLessThanEquals', { DateLessThanEquals: { 's3:d': '2020-01-01T00:00:00Z' } }, { 's3:d': '2020-01-01T00:00:00Z' }, 'Allow'],
    ['DateGreaterThanEquals', { DateGreaterThanEquals: { 's3:d': '2020-01-02T00:00:00Z' } }, { 's3:d': '2020-01-01T00:00:00Z' }, 'ImplicitDeny'],
    ['ArnEquals', { ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::dock' } }, { 'aws:SourceArn': 'arn:aws:s3:::dock' }, 'Allow'],
    ['ArnLike', { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::dock*' } }, { 'aws:SourceArn': 'arn:aws:s3:::dock-2' }, 'Allow'],
    ['ArnLike does not span fields', { ArnLike: { 'aws:SourceArn': 'arn:aws:s3*' } }, { 'aws:SourceArn': 'arn:aws:sqs:us-east-1:1:q' }, 'ImplicitDeny'],
    ['ArnNotLike', { ArnNotLike: { 'aws:SourceArn': 'arn:aws:s3:::vault*' } }, { 'aws:SourceArn': 'arn:aws:s3:::dock' }, 'Allow'],
    ['ArnNotEquals', { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:s3:::dock' } }, { 'aws:SourceArn': 'arn:aws:s3:::dock' }, 'ImplicitDeny'],
    ['IpAddress in CIDR', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '10.1.2.3' }, 'Allow'],
    ['NotIpAddress', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '127.0.0.1' }, 'Allow'],
    ['IpAddress IPv6', { IpAddress: { 'aws:SourceIp': '::1/128' } }, { 'aws:SourceIp': '::1' }, 'Allow'],
    ['BinaryEquals', { BinaryEquals: { 's3:b': 'YWJj' } }, { 's3:b': 'YWJj' }, 'Allow'],
    ['IfExists on a missing key', { StringEqualsIfExists: { 's3:x': 'a' } }, {}, 'Allow'],
    ['IfExists on a present key', { StringEqualsIfExists: { 's3:x': 'a' } }, { 's3:x': 'b' }, 'ImplicitDeny'],
    ['NumericLessThanIfExists missing', { NumericLessThanIfExists: { 's3:n': '5' } }, {}, 'Allow'],
    ['keys are ANDed', { StringEquals: { 's3:x': 'a', 's3:y': 'b' } }, { 's3:x': 'a', 's3:y': 'c' }, 'ImplicitDeny'],
    ['operators are ANDed', { StringEquals: { 's3:x': 'a' }, Bool: { 's3:t': 'true' } }, { 's3:x': 'a', 's3:t': 'false' }, 'ImplicitDeny'],
    ['ForAnyValue one matches', { 'ForAnyValue:StringEquals': { 's3:tags': ['a', 'z'] } }, { 's3:tags': ['x', 'a'] }, 'Allow'],
    ['ForAnyValue none', { 'ForAnyValue:StringEquals': { 's3:tags': ['z'] } }, { 's3:tags': ['x', 'a'] }, 'ImplicitDeny'],
    ['ForAnyValue missing key', { 'ForAnyValue:StringEquals': { 's3:tags': ['z'] } }, {}, 'ImplicitDeny'],
    ['ForAllValues all match', { 'ForAllValues:StringLike': { 's3:tags': ['a*', 'b'] } }, { 's3:tags': ['ab', 'b'] }, 'Allow'],
    ['ForAllValues one outside', { 'ForAllValues:StringEquals': { 's3:tags': ['a'] } }, { 's3:tags': ['a', 'c'] }, 'ImplicitDeny'],
    ['ForAllValues empty set holds', { 'ForAllValues:StringEquals': { 's3:tags': ['a'] } }, {}, 'Allow'],
    ['ForAllValues negated', { 'ForAllValues:StringNotEquals': { 's3:tags': ['secret'] } }, { 's3:tags': ['a', 'b'] }, 'Allow'],
    ['ForAnyValue negated', { 'ForAnyValue:StringNotEquals': { 's3:tags': ['a'] } }, { 's3:tags': ['a'] }, 'ImplicitDeny'],
    ['unknown operator never holds', { StringSortOf: { 's3:x': 'a' } }, { 's3:x': 'a' }, 'ImplicitDeny'],
  ] as const)('%s', (_name, condition, context, expected) => {
    expect(conditionResult(condition as PolicyStatement['Condition'], context as ConditionContext)).toBe(expected);
  });
});

describe('statements', () => {
  const check = (principal: Principal, action: string, resource: string, resourcePolicy?: PolicyDocument) =>
    evaluate({ principal, action, resource, context: {}, resourcePolicy });

  it.each([
    ['Action wildcard', doc({ Effect: 'Allow', Action: 's3:Put*', Resource: '*' }), 's3:PutObject', objectArn, 'Allow'],
    ['Action ? wildcard', doc({ Effect: 'Allow', Action: 's3:?etObject', Resource: '*' }), 's3:GetObject', objectArn, 'Allow'],
    ['Action service prefix is case-insensitive', doc({ Effect: 'Allow', Action: 'S3:putobject', Resource: '*' }), 's3:PutObject', objectArn, 'Allow'],
    ['Action not listed', doc({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }), 's3:PutObject', objectArn, 'ImplicitDeny'],
    ['NotAction excludes', doc({ Effect: 'Allow', NotAction: 's3:Delete*', Resource: '*' }), 's3:DeleteObject', objectArn, 'ImplicitDeny'],
    ['NotAction includes the rest', doc({ Effect: 'Allow', NotAction: 's3:Delete*', Resource: '*' }), 's3:PutObject', objectArn, 'Allow'],
    ['Resource wildcard', doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::dock/uploads/*' }), 's3:PutObject', objectArn, 'Allow'],
    ['Resource is case-sensitive', doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::DOCK/*' }), 's3:PutObject', objectArn, 'ImplicitDeny'],
    ['Resource of another key', doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::dock/uploads/f2' }), 's3:PutObject', objectArn, 'ImplicitDeny'],
    ['NotResource', doc({ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::vault/*' }), 's3:PutObject', objectArn, 'Allow'],
    ['Deny wins over Allow', doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:PutObject', Resource: '*' }), 's3:PutObject', objectArn, 'ExplicitDeny'],
    ['no statement applies', doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }), 's3:PutObject', objectArn, 'ImplicitDeny'],
  ] as const)('%s', (_name, policy, action, resource, expected) => {
    expect(check(session([policy]), action, resource)).toBe(expected);
  });

  const sessionPolicy = doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: objectArn });
  it.each([
    ['role allows, no session policy', [allowAll], undefined, 's3:GetObject', 'Allow'],
    ['role and session policy both allow', [allowAll], sessionPolicy, 's3:PutObject', 'Allow'],
    ['session policy does not allow', [allowAll], sessionPolicy, 's3:GetObject', 'ImplicitDeny'],
    ['session policy allows but role does not', [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })], sessionPolicy, 's3:PutObject', 'ImplicitDeny'],
    ['session policy denies', [allowAll], doc({ Effect: 'Deny', Action: '*', Resource: '*' }), 's3:PutObject', 'ExplicitDeny'],
    ['no role policies', [], undefined, 's3:PutObject', 'ImplicitDeny'],
  ] as const)('session intersection: %s', (_name, rolePolicies, policy, action, expected) => {
    expect(check(session([...rolePolicies], policy), action, objectArn)).toBe(expected);
  });

  const bucketPolicy = (principal: PolicyStatement['Principal'], effect: 'Allow' | 'Deny' = 'Allow') =>
    doc({ Effect: effect, Principal: principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::dock/*' });
  it.each([
    ['root is allowed without policies', root, undefined, 'Allow'],
    ['root is denied by a bucket policy', root, bucketPolicy('*', 'Deny'), 'ExplicitDeny'],
    ['root named by account id and denied', root, bucketPolicy({ AWS: account }, 'Deny'), 'ExplicitDeny'],
    ['anonymous without a policy', anonymous, undefined, 'ImplicitDeny'],
    ['anonymous with Principal *', anonymous, bucketPolicy('*'), 'Allow'],
    ['anonymous with AWS *', anonymous, bucketPolicy({ AWS: '*' }), 'Allow'],
    ['anonymous with an account principal', anonymous, bucketPolicy({ AWS: account }), 'ImplicitDeny'],
    ['session named by session ARN skips the session cap', session([], doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' })), bucketPolicy({ AWS: sessionArn }), 'Allow'],
    ['session named by role ARN is still capped', session([], doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' })), bucketPolicy({ AWS: roleArn }), 'ImplicitDeny'],
    ['role ARN grant without session policy', session([]), bucketPolicy({ AWS: [roleArn] }), 'Allow'],
    ['account principal grants a role nothing', session([]), bucketPolicy({ AWS: `arn:aws:iam::${account}:root` }), 'ImplicitDeny'],
    ['account principal Deny reaches a role', session([allowAll]), bucketPolicy({ AWS: account }, 'Deny'), 'ExplicitDeny'],
    ['Deny on another principal', session([allowAll]), bucketPolicy({ AWS: 'arn:aws:iam::1:role/x' }, 'Deny'), 'Allow'],
    ['Service principals never match', session([]), bucketPolicy({ Service: 's3.amazonaws.com' }), 'ImplicitDeny'],
    [
      'NotPrincipal Deny spares a session named with its role and account',
      session([allowAll]),
      doc({ Effect: 'Deny', NotPrincipal: { AWS: [sessionArn, roleArn, `arn:aws:iam::${account}:root`] }, Action: '*', Resource: '*' }),
      'Allow',
    ],
    ['NotPrincipal Deny naming the role only still reaches its sessions', session([allowAll]), doc({ Effect: 'Deny', NotPrincipal: { AWS: roleArn }, Action: '*', Resource: '*' }), 'ExplicitDeny'],
    [
      'NotPrincipal Deny naming the account spares its root user, not its roles',
      session([allowAll]),
      doc({ Effect: 'Deny', NotPrincipal: { AWS: account }, Action: '*', Resource: '*' }),
      'ExplicitDeny',
    ],
    ['NotPrincipal Deny naming the account spares its root user', root, doc({ Effect: 'Deny', NotPrincipal: { AWS: account }, Action: '*', Resource: '*' }), 'Allow'],
    ['NotPrincipal Deny hits the others', anonymous, doc({ Effect: 'Deny', NotPrincipal: { AWS: roleArn }, Action: '*', Resource: '*' }), 'ExplicitDeny'],
  ] as const)('resource policy: %s', (_name, principal, policy, expected) => {
    expect(check(principal, 's3:GetObject', objectArn, policy)).toBe(expected);
  });
});

describe('parsePolicy', () => {
  const valid = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: objectArn, Condition: { StringEquals: { 's3:x': 'a' } } }],
  };

  it('accepts a valid session policy', () => {
    expect(parsePolicy(JSON.stringify(valid), 'MalformedPolicyDocument')).toEqual(valid);
  });

  it('requires a Principal in a bucket policy and accepts one', () => {
    const withPrincipal = { Statement: { ...valid.Statement[0], Principal: { AWS: roleArn } } };
    expect(parsePolicy(JSON.stringify(withPrincipal), 'MalformedPolicy')).toEqual(withPrincipal);
  });

  const statement = valid.Statement[0];
  it.each([
    ['not JSON', '{', 'MalformedPolicyDocument'],
    ['an array', '[]', 'MalformedPolicyDocument'],
    ['a bad version', JSON.stringify({ ...valid, Version: '2020-01-01' }), 'MalformedPolicyDocument'],
    ['no statement', JSON.stringify({ Version: '2012-10-17' }), 'MalformedPolicyDocument'],
    ['an empty statement list', JSON.stringify({ Statement: [] }), 'MalformedPolicyDocument'],
    ['a bad effect', JSON.stringify({ Statement: { ...statement, Effect: 'allow' } }), 'MalformedPolicyDocument'],
    ['no action', JSON.stringify({ Statement: { Effect: 'Allow', Resource: '*' } }), 'MalformedPolicyDocument'],
    ['Action and NotAction', JSON.stringify({ Statement: { ...statement, NotAction: 's3:Get*' } }), 'MalformedPolicyDocument'],
    ['an action without a service', JSON.stringify({ Statement: { ...statement, Action: 'PutObject' } }), 'MalformedPolicyDocument'],
    ['no resource', JSON.stringify({ Statement: { Effect: 'Allow', Action: '*' } }), 'MalformedPolicyDocument'],
    ['an unknown operator', JSON.stringify({ Statement: { ...statement, Condition: { StringSortOf: { a: 'b' } } } }), 'MalformedPolicyDocument'],
    ['Null with IfExists', JSON.stringify({ Statement: { ...statement, Condition: { NullIfExists: { a: 'true' } } } }), 'MalformedPolicyDocument'],
    ['an unknown field', JSON.stringify({ Statement: { ...statement, Effects: 'Allow' } }), 'MalformedPolicyDocument'],
    ['a principal in a session policy', JSON.stringify({ Statement: { ...statement, Principal: '*' } }), 'MalformedPolicyDocument'],
    ['no principal in a bucket policy', JSON.stringify(valid), 'MalformedPolicy'],
    ['a bad principal', JSON.stringify({ Statement: { ...statement, Principal: 'someone' } }), 'MalformedPolicy'],
  ] as const)('rejects %s', (_name, json, code) => {
    let thrown: unknown;
    try {
      parsePolicy(json, code);
    } catch (error) {
      thrown = error;
    }
    expect(isAwsError(thrown) && thrown.code).toBe(code);
  });
});

import { createHmac } from 'node:crypto';
import { AwsError } from '../errors.js';
import type { CredentialStore } from '../iam/credentials.js';
import type { Principal } from '../types.js';
import { ALGORITHM, parseAmzDate, sameSignature, signingKey } from './sigv4.js';

/** The form fields SigV4 POST signing needs, as S3 names them in its refusal. */
const SIGNING_FIELDS: [string, string][] = [
  ['x-amz-algorithm', 'X-Amz-Algorithm'],
  ['x-amz-credential', 'X-Amz-Credential'],
  ['x-amz-date', 'X-Amz-Date'],
  ['x-amz-signature', 'X-Amz-Signature'],
];

function missingField(name: string): AwsError {
  return new AwsError('InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
    ArgumentName: name,
    ArgumentValue: '',
  });
}

/**
 * Who signed a browser form (SigV4 POST): the signature is the HMAC of the
 * base64 policy under the signing key of the credential's date, region and
 * service, as for a request, with the access key (and the session token of
 * temporary credentials) in form fields. A form without a policy is
 * anonymous, as in S3; a policy without the signing fields is refused.
 */
export function authenticatePostForm(fields: Map<string, string>, credentials: CredentialStore, now = new Date()): Principal {
  const policy = fields.get('policy');
  if (policy === undefined) return { kind: 'anonymous' };
  if (fields.has('awsaccesskeyid') || fields.has('signature')) {
    throw new AwsError('NotImplemented', 'POST forms signed with Signature Version 2 are not supported by this endpoint; sign with AWS4-HMAC-SHA256.');
  }
  for (const [field, name] of SIGNING_FIELDS) if (!fields.get(field)) throw missingField(name);
  if (fields.get('x-amz-algorithm') !== ALGORITHM) throw new AwsError('InvalidArgument', 'The algorithm specified is not supported.', { ArgumentName: 'X-Amz-Algorithm', ArgumentValue: fields.get('x-amz-algorithm')! });
  const credential = fields.get('x-amz-credential')!.split('/');
  const amzDate = fields.get('x-amz-date')!;
  if (credential.length !== 5 || credential[4] !== 'aws4_request' || !/^\d{8}$/.test(credential[1])) {
    throw new AwsError('InvalidArgument', 'Invalid according to Policy: X-Amz-Credential is not valid.', { ArgumentName: 'X-Amz-Credential', ArgumentValue: fields.get('x-amz-credential')! });
  }
  parseAmzDate(amzDate);
  const [accessKeyId, date, region, service] = credential;
  const resolved = credentials.resolve(accessKeyId, fields.get('x-amz-security-token'), now);
  const expected = createHmac('sha256', signingKey(resolved.secretAccessKey, date, region, service)).update(policy, 'utf8').digest('hex');
  if (!sameSignature(expected, fields.get('x-amz-signature')!)) throw new AwsError('SignatureDoesNotMatch');
  return resolved.principal;
}

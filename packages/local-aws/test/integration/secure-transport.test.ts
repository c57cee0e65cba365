import { GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/aws-errors.js';
import { startLocalS3 } from '../helpers/local-aws.js';

const tlsOnly = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::tls', 'arn:aws:s3:::tls/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
  ],
};

describe('aws:SecureTransport', () => {
  it.each([
    [false, 'AccessDenied'],
    [true, undefined],
  ])('with secureTransport %s, a TLS-only bucket policy gives %s', async (secureTransport, refusal) => {
    const { env, s3 } = await startLocalS3(['tls'], { secureTransport });
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'tls', Key: 'k', Body: 'v' }));
      await s3.send(new PutBucketPolicyCommand({ Bucket: 'tls', Policy: JSON.stringify(tlsOnly) }));
      const read = s3.send(new GetObjectCommand({ Bucket: 'tls', Key: 'k' }));
      if (refusal) expect((await errorOf(read)).name).toBe(refusal);
      else expect(await (await read).Body!.transformToString()).toBe('v');
    } finally {
      await env.stop();
    }
  });
});

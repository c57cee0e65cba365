import { simulatePolicy, type PolicyDocument } from '@lfs/local-aws';
import { describe, expect, it } from 'vitest';
import { buildSessionPolicy, buildUploadRolePolicy } from '../../../src/credentials/session-policy.js';

const dockKey = 'arn:aws:kms:us-east-1:000000000000:key/dock';
const otherKey = 'arn:aws:kms:us-east-1:000000000000:key/other';
const object = 'arn:aws:s3:::dock/uploads/f1';

const session = {
  caller: { roleArn: 'arn:aws:iam::000000000000:role/lfs-upload', sessionName: 'lfs-f1' },
  rolePolicies: [buildUploadRolePolicy('dock', dockKey) as PolicyDocument],
  sessionPolicy: buildSessionPolicy({ dockBucket: 'dock', key: 'uploads/f1', dockKmsKeyArn: dockKey }) as PolicyDocument,
};

const sse = (algorithm?: string, key?: string) => ({
  's3:x-amz-server-side-encryption': algorithm,
  's3:x-amz-server-side-encryption-aws-kms-key-id': key,
});

describe('the one-key session policy under the upload role', () => {
  it.each([
    ['PutObject with the dock key', 's3:PutObject', object, sse('aws:kms', dockKey), 'Allow'],
    ['UploadPart (no SSE headers)', 's3:PutObject', object, sse(), 'Allow'],
    ['ListParts', 's3:ListMultipartUploadParts', object, {}, 'Allow'],
    ['AbortMultipartUpload', 's3:AbortMultipartUpload', object, {}, 'Allow'],
    ['GenerateDataKey on the dock key', 'kms:GenerateDataKey', dockKey, {}, 'Allow'],
    ['PutObject with another KMS key', 's3:PutObject', object, sse('aws:kms', otherKey), 'ImplicitDeny'],
    ['PutObject with SSE-S3', 's3:PutObject', object, sse('AES256'), 'ImplicitDeny'],
    ['PutObject on another file', 's3:PutObject', 'arn:aws:s3:::dock/uploads/f2', sse('aws:kms', dockKey), 'ImplicitDeny'],
    ['GetObject on its own key', 's3:GetObject', object, {}, 'ImplicitDeny'],
    ['DeleteObject on its own key', 's3:DeleteObject', object, {}, 'ImplicitDeny'],
    ['ListBucket on the dock', 's3:ListBucket', 'arn:aws:s3:::dock', {}, 'ImplicitDeny'],
    ['PutObject into the vault', 's3:PutObject', 'arn:aws:s3:::vault/files/f1', sse('aws:kms', dockKey), 'ImplicitDeny'],
    ['GenerateDataKey on another key', 'kms:GenerateDataKey', otherKey, {}, 'ImplicitDeny'],
  ])('%s → %s', (_name, action, resource, context, decision) => {
    expect(simulatePolicy({ ...session, action, resource, context })).toBe(decision);
  });
});

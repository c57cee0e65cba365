/**
 * The inline session policy that narrows the upload role to one file: it may
 * write exactly `arn:aws:s3:::<dock>/<key>` (PutObject covers the multipart
 * calls CreateMultipartUpload, UploadPart and CompleteMultipartUpload), list
 * and abort its own parts, and use the dock KMS key. Nothing can read.
 *
 * UploadPart carries no SSE header, so the encryption conditions use
 * `...IfExists`: the object's encryption is fixed by CreateMultipartUpload or
 * PutObject, which must name SSE-KMS with the dock key when they name anything,
 * and the dock's default encryption (the dock key) covers requests that don't.
 */
export interface SessionPolicyInput {
  dockBucket: string;
  key: string;
  /** Full ARN of the dock KMS key. */
  dockKmsKeyArn: string;
  /**
   * Grant the KMS actions on the dock key. Ceph's gateway refuses a policy
   * naming `kms:` actions (it has no KMS API to authorize): there the
   * encryption condition alone says which key. @default true
   */
  kmsStatement?: boolean;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface SessionPolicy {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function buildSessionPolicy({ dockBucket, key, dockKmsKeyArn, kmsStatement = true }: SessionPolicyInput): SessionPolicy {
  const object = `arn:aws:s3:::${dockBucket}/${key}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'WriteTheOneKey',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: object,
        Condition: {
          StringEqualsIfExists: {
            's3:x-amz-server-side-encryption': 'aws:kms',
            's3:x-amz-server-side-encryption-aws-kms-key-id': dockKmsKeyArn,
          },
        },
      },
      {
        Sid: 'ManageItsParts',
        Effect: 'Allow',
        Action: ['s3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        Resource: object,
      },
      ...(kmsStatement
        ? [{ Sid: 'UseTheDockKey', Effect: 'Allow' as const, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: dockKmsKeyArn }]
        : []),
    ],
  };
}

/**
 * The upload role's own identity policy: the most a session can ever get.
 * Sessions narrow it further to one key.
 */
export function buildUploadRolePolicy(dockBucket: string, dockKmsKeyArn: string, kmsStatement = true): SessionPolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'WriteOnlyDock',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        Resource: `arn:aws:s3:::${dockBucket}/uploads/*`,
      },
      ...(kmsStatement ? [{ Sid: 'DockKey', Effect: 'Allow' as const, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: dockKmsKeyArn }] : []),
    ],
  };
}

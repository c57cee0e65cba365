import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  GetBucketLocationCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { canonicalPolicy } from '../canonical.js';
import type { Item, LiveContext } from '../context.js';
import type { BucketSpec, DesiredState } from '../desired.js';
import { isAwsError, ProvisionError } from '../errors.js';
import { text } from '../values.js';

type Which = BucketSpec['which'];
const settingOf = (which: Which) => (which === 'dock' ? 'LFS_DOCK_BUCKET' : 'LFS_VAULT_BUCKET');
const specOf = (state: DesiredState, which: Which) => state.buckets.find((bucket) => bucket.which === which)!;
const labelOf = (spec: BucketSpec) => `the ${spec.which} bucket ${spec.name}`;
/** A bucket's settings are read as missing while the bucket itself is. */
export const NO_BUCKET = ['NoSuchBucket', 'NotFound'];

export function bucketItem(which: Which) {
  return (state: DesiredState, context: LiveContext): Item => {
    const spec = specOf(state, which);
    const { s3 } = context.clients;
    const label = labelOf(spec);
    return {
      id: `s3:${which}`,
      label,
      service: 's3',
      desired: {},
      async read() {
        // GetBucketLocation rather than HeadBucket (s3:ListBucket), which the vault refuses to all but LFS:
        // whoever provisions may not list it, yet must find it.
        let location;
        try {
          location = await s3.send(new GetBucketLocationCommand({ Bucket: spec.name }));
        } catch (error) {
          if (isAwsError(error, ...NO_BUCKET)) return undefined;
          if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
            throw new ProvisionError('ACCESS_DENIED', `${label} cannot be read with these credentials (403)`, `it belongs to another account (choose another ${settingOf(which)}), or grant s3:GetBucketLocation on it`);
          }
          return context.call('s3:GetBucketLocation', label, () => Promise.reject(error));
        }
        // us-east-1 is answered as no constraint at all.
        const region = location.LocationConstraint || 'us-east-1';
        if (region !== context.config.aws.region) {
          throw new ProvisionError('CONFLICT', `${label} is in ${region}, not in ${context.config.aws.region}`, `set LFS_AWS_REGION=${region}, or choose another ${settingOf(which)}`);
        }
        return {};
      },
      async apply() {
        const region = context.config.aws.region;
        try {
          await s3.send(
            new CreateBucketCommand({
              Bucket: spec.name,
              // us-east-1 is the one region S3 refuses to be named in a LocationConstraint.
              CreateBucketConfiguration: region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint },
            }),
          );
        } catch (error) {
          if (isAwsError(error, 'BucketAlreadyOwnedByYou')) return;
          if (isAwsError(error, 'BucketAlreadyExists')) {
            throw new ProvisionError('CONFLICT', `the name of ${label} is taken by another account`, `choose another ${settingOf(which)}`);
          }
          await context.call('s3:CreateBucket', label, () => Promise.reject(error));
        }
      },
    };
  };
}

const BLOCK_ALL = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

export function publicAccessBlockItem(which: Which) {
  return (state: DesiredState, context: LiveContext): Item => {
    const spec = specOf(state, which);
    const { s3 } = context.clients;
    const label = `${labelOf(spec)}: its Block Public Access settings`;
    return {
      id: `s3:${which}:public-access-block`,
      label,
      service: 's3',
      parent: `s3:${which}`,
      desired: BLOCK_ALL,
      async read() {
        const got = await context.lookup('s3:GetBucketPublicAccessBlock', label, [...NO_BUCKET, 'NoSuchPublicAccessBlockConfiguration'], () =>
          s3.send(new GetPublicAccessBlockCommand({ Bucket: spec.name })),
        );
        const found = got?.PublicAccessBlockConfiguration;
        if (!found) return undefined;
        return Object.fromEntries(Object.keys(BLOCK_ALL).map((name) => [name, Boolean(found[name as keyof typeof found])]));
      },
      async apply() {
        await context.call('s3:PutBucketPublicAccessBlock', label, () =>
          s3.send(new PutPublicAccessBlockCommand({ Bucket: spec.name, PublicAccessBlockConfiguration: BLOCK_ALL })),
        );
      },
    };
  };
}

export function encryptionItem(which: Which) {
  return (state: DesiredState, context: LiveContext): Item => {
    const spec = specOf(state, which);
    const { s3 } = context.clients;
    const label = `${labelOf(spec)}: its default encryption`;
    // Bucket keys are asked for everywhere, compared only on AWS (see desiredState's notes).
    const compared = (algorithm: string | undefined, key: string | undefined, bucketKey: boolean | undefined) => ({
      SSEAlgorithm: algorithm ?? null,
      KMSMasterKeyID: key ?? null,
      ...(context.target.aws ? { BucketKeyEnabled: Boolean(bucketKey) } : {}),
    });
    return {
      id: `s3:${which}:encryption`,
      label,
      service: 's3',
      parent: `s3:${which}`,
      desired: compared('aws:kms', text(spec.keyArn), true),
      async read() {
        const got = await context.lookup('s3:GetEncryptionConfiguration', label, [...NO_BUCKET, 'ServerSideEncryptionConfigurationNotFoundError'], () =>
          s3.send(new GetBucketEncryptionCommand({ Bucket: spec.name })),
        );
        const rule = got?.ServerSideEncryptionConfiguration?.Rules?.[0];
        if (!rule) return undefined;
        const defaults = rule.ApplyServerSideEncryptionByDefault;
        return compared(defaults?.SSEAlgorithm, defaults?.KMSMasterKeyID, rule.BucketKeyEnabled);
      },
      async apply() {
        await context.call('s3:PutEncryptionConfiguration', label, () =>
          s3.send(
            new PutBucketEncryptionCommand({
              Bucket: spec.name,
              ServerSideEncryptionConfiguration: {
                Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: text(spec.keyArn) }, BucketKeyEnabled: true }],
              },
            }),
          ),
        );
      },
    };
  };
}

/** Statements provisioning owns; revocations (`LfsRevokedUntil…`) and an operator's own are kept as they are. */
const isManaged = (statement: { Sid?: string }) => Boolean(statement.Sid?.startsWith('Lfs') && !statement.Sid.startsWith('LfsRevokedUntil'));

interface PolicyDocument {
  Version?: string;
  Statement?: { Sid?: string }[];
}

export function bucketPolicyItem(which: Which) {
  return (state: DesiredState, context: LiveContext): Item => {
    const spec = specOf(state, which);
    const { s3 } = context.clients;
    const label = `${labelOf(spec)}: its bucket policy`;
    const read = async (): Promise<PolicyDocument | undefined> => {
      const got = await context.lookup('s3:GetBucketPolicy', label, [...NO_BUCKET, 'NoSuchBucketPolicy'], () => s3.send(new GetBucketPolicyCommand({ Bucket: spec.name })));
      return got?.Policy ? (JSON.parse(got.Policy) as PolicyDocument) : undefined;
    };
    return {
      id: `s3:${which}:policy`,
      label,
      service: 's3',
      parent: `s3:${which}`,
      desired: canonicalPolicy({ Version: '2012-10-17', Statement: spec.statements }),
      async read() {
        const policy = await read();
        const managed = policy?.Statement?.filter(isManaged) ?? [];
        return managed.length === 0 ? undefined : canonicalPolicy({ Version: policy!.Version, Statement: managed });
      },
      async apply() {
        // Read again just before the write: LFS may have added a revocation since.
        const others = ((await read())?.Statement ?? []).filter((statement) => !isManaged(statement));
        const policy = JSON.stringify({ Version: '2012-10-17', Statement: [...spec.statements, ...others] });
        await context.call('s3:PutBucketPolicy', label, () => s3.send(new PutBucketPolicyCommand({ Bucket: spec.name, Policy: policy })));
      },
    };
  };
}

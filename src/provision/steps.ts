import type { Step } from './engine.js';
import { uploadRoleItem, uploadRolePolicyItem } from './items/iam.js';
import { kmsKeyItem } from './items/kms.js';
import { lfsPolicyItem, lfsPrincipalItem } from './items/lfs-principal.js';
import { bucketItem, bucketPolicyItem, encryptionItem, publicAccessBlockItem } from './items/s3-bucket.js';
import { corsItem, lifecycleItem, notificationItem } from './items/s3-dock.js';
import { queueItem } from './items/sqs.js';

export interface StepOptions {
  /** Create LFS's user when missing and put its policy on it (or on its role): `--create-lfs-policy`. */
  lfsPolicy?: boolean;
}

/**
 * Everything in the order AWS needs it: a key or trust policy may name only
 * principals that exist; the role policy and the buckets name the keys; the
 * dock's notification is accepted only once the queue's policy lets S3 send.
 */
export function provisioningSteps(options: StepOptions = {}): Step[] {
  const bucket = (which: 'dock' | 'vault'): Step[] => [bucketItem(which), publicAccessBlockItem(which), encryptionItem(which), bucketPolicyItem(which)];
  return [
    ...(options.lfsPolicy ? [lfsPrincipalItem] : []),
    uploadRoleItem,
    kmsKeyItem('dock'),
    kmsKeyItem('vault'),
    uploadRolePolicyItem,
    queueItem('dead-letter'),
    queueItem('dock-events'),
    queueItem('file-events'),
    ...bucket('dock'),
    corsItem,
    lifecycleItem,
    notificationItem,
    ...bucket('vault'),
    ...(options.lfsPolicy ? [lfsPolicyItem] : []),
  ];
}

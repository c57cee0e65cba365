import {
  CreateBucketCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, GetTopicAttributesCommand, ListTopicsCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AwsClients } from '../../aws/clients.js';
import type { Config } from '../../config.js';
import { buildUploadRolePolicy } from '../../credentials/session-policy.js';
import { DOCK_NOTIFICATION, dockCorsRule, dockLifecycleRule, roleNameAndPath } from '../desired.js';

/** Everything LFS needs from the gateway, in the order it is created. */
export interface CephResource {
  label: string;
  /** `ok`, or what is wrong (missing, or how it differs). */
  check(): Promise<'ok' | 'missing' | 'drifted'>;
  apply(): Promise<void>;
}

/** What LFS is on the gateway, and the names it uses there. */
export interface CephNames {
  /** The gateway user LFS signs as (`arn:aws:iam::<tenant>:user/<uid>`): the one the upload role trusts. */
  lfsUserArn: string;
  uploadRoleArn: string;
  /** The dock's topic; its push-endpoint is LFS's intake. */
  topicName: string;
  topicArn: string;
  /** `<LFS_PUBLIC_URL>/events/s3/<secret>`. */
  intakeUrl: string;
  /** SSE-KMS key ids of the gateway's KMS backend (Ceph has no aliases: alias/x names the key x). */
  dockKeyId: string;
  vaultKeyId: string;
}

const isMissing = (error: unknown, ...codes: string[]) =>
  error instanceof Error && (codes.includes(error.name) || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404));

/** Ceph has no KMS aliases: the gateway's backend names keys by id, and `alias/lfs-dock` means the key `lfs-dock`. */
export const cephKeyId = (configured: string) => configured.replace(/^alias\//, '');

/**
 * Who LFS is on the gateway, found by behaviour: pacific answers STS
 * GetCallerIdentity with 405, but ListBuckets names the owner (uid, with
 * its tenant as `tenant$uid`).
 */
export async function cephNames(clients: AwsClients & { sns: SNSClient }, config: Config): Promise<CephNames> {
  const owner = (await clients.s3.send(new ListBucketsCommand({}))).Owner?.ID;
  if (!owner) throw new Error('the gateway did not name the owner of these credentials (ListBuckets)');
  const [tenant, uid] = owner.includes('$') ? owner.split('$') : ['', owner];
  const topicName = config.storage.dockEventsQueue;
  return {
    lfsUserArn: `arn:aws:iam::${tenant}:user/${uid}`,
    uploadRoleArn: config.storage.uploadRoleArn ?? `arn:aws:iam::${tenant}:role/lfs-upload`,
    topicName,
    topicArn: await topicArnOf(clients.sns, tenant, topicName),
    intakeUrl: `${config.events.publicUrl.replace(/\/$/, '')}/events/s3/${config.events.intakeSecret ?? '<LFS_EVENT_INTAKE_SECRET>'}`,
    dockKeyId: cephKeyId(config.storage.dockKmsKeyId),
    vaultKeyId: cephKeyId(config.storage.vaultKmsKeyId),
  };
}

/**
 * The topic's ARN as the gateway names it: its region part is the zonegroup
 * (`default` on a fresh cluster), not the S3 region, so it is read back
 * when the topic exists.
 */
async function topicArnOf(sns: SNSClient, tenant: string, name: string): Promise<string> {
  for (let token: string | undefined, page = 0; page < 100; page++) {
    const listed = await sns.send(new ListTopicsCommand({ NextToken: token }));
    const found = (listed.Topics ?? []).find((topic) => topic.TopicArn?.endsWith(`:${tenant}:${name}`));
    if (found?.TopicArn) return found.TopicArn;
    token = listed.NextToken;
    if (!token) break;
  }
  return `arn:aws:sns:default:${tenant}:${name}`;
}

/** Same JSON, whatever the key order: the gateway hands policies back as it stored them. */
const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}
const parse = (text: string | undefined) => JSON.parse(decodeURIComponent(text ?? '{}'));

export function cephResources(clients: AwsClients & { sns: SNSClient }, config: Config, names: CephNames): CephResource[] {
  const { s3, iam, sns } = clients;
  const { dockBucket, vaultBucket } = config.storage;
  const role = roleNameAndPath(names.uploadRoleArn);
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: [names.lfsUserArn] }, Action: ['sts:AssumeRole'] }],
  };
  // Without the KMS statement: the gateway refuses policies naming kms: actions.
  const rolePolicy = buildUploadRolePolicy(dockBucket, names.dockKeyId, false);
  const cors = dockCorsRule(config);
  const lifecycle = dockLifecycleRule(config);
  const days = lifecycle.Expiration.Days;
  // Built when used: creating the topic tells its ARN (names.topicArn), which the notification names.
  const notification = () => ({
    ...DOCK_NOTIFICATION,
    TopicArn: names.topicArn,
  });
  const corsRules = () =>
    s3.send(new GetBucketCorsCommand({ Bucket: dockBucket })).then(
      (found) => found.CORSRules ?? [],
      (error: unknown) => {
        if (isMissing(error, 'NoSuchCORSConfiguration')) return [];
        throw error;
      },
    );
  const lifecycleRules = () =>
    s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: dockBucket })).then(
      (found) => found.Rules ?? [],
      (error: unknown) => {
        if (isMissing(error, 'NoSuchLifecycleConfiguration')) return [];
        throw error;
      },
    );
  const bucket = (name: string, which: string): CephResource => ({
    label: `the ${which} bucket ${name}`,
    check: () =>
      s3.send(new HeadBucketCommand({ Bucket: name })).then(
        () => 'ok' as const,
        (error: unknown) => {
          if (isMissing(error, 'NotFound', 'NoSuchBucket')) return 'missing' as const;
          throw error;
        },
      ),
    apply: () => s3.send(new CreateBucketCommand({ Bucket: name })).then(() => undefined),
  });
  return [
    bucket(dockBucket, 'dock'),
    bucket(vaultBucket, 'vault'),
    {
      label: `the upload role ${role.name}, trusted by ${names.lfsUserArn} only`,
      async check() {
        const found = await iam.send(new GetRoleCommand({ RoleName: role.name })).catch((error: unknown) => {
          if (isMissing(error, 'NoSuchEntity', 'NoSuchEntityException')) return undefined;
          throw error;
        });
        if (!found?.Role) return 'missing';
        return same(parse(found.Role.AssumeRolePolicyDocument), trust) ? 'ok' : 'drifted';
      },
      async apply() {
        const document = JSON.stringify(trust);
        const exists = await iam.send(new GetRoleCommand({ RoleName: role.name })).then(
          () => true,
          () => false,
        );
        if (exists) await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: document }));
        else await iam.send(new CreateRoleCommand({ RoleName: role.name, Path: role.path, AssumeRolePolicyDocument: document, MaxSessionDuration: 43_200 }));
      },
    },
    {
      label: `the upload role's policy lfs-upload: write-only on ${dockBucket}/uploads/*`,
      async check() {
        const found = await iam.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: 'lfs-upload' })).catch((error: unknown) => {
          if (isMissing(error, 'NoSuchEntity', 'NoSuchEntityException')) return undefined;
          throw error;
        });
        if (!found?.PolicyDocument) return 'missing';
        return same(parse(found.PolicyDocument), rolePolicy) ? 'ok' : 'drifted';
      },
      apply: () => iam.send(new PutRolePolicyCommand({ RoleName: role.name, PolicyName: 'lfs-upload', PolicyDocument: JSON.stringify(rolePolicy) })).then(() => undefined),
    },
    {
      label: `the dock's CORS rule ${cors.ID} (${cors.AllowedOrigins.join(', ')})`,
      async check() {
        const rules = await corsRules();
        const rule = rules.find((r) => r.ID === cors.ID) ?? rules.find((r) => same(r.AllowedOrigins, cors.AllowedOrigins));
        if (!rule) return 'missing';
        return same(rule.AllowedOrigins, cors.AllowedOrigins) && same([...(rule.AllowedMethods ?? [])].sort(), [...cors.AllowedMethods].sort()) ? 'ok' : 'drifted';
      },
      async apply() {
        // An operator's own rules stay; LFS's is known by its ID.
        const others = (await corsRules()).filter((rule) => rule.ID !== cors.ID);
        await s3.send(new PutBucketCorsCommand({ Bucket: dockBucket, CORSConfiguration: { CORSRules: [cors, ...others] } }));
      },
    },
    {
      label: `the dock's lifecycle rule ${lifecycle.ID} (${days} days)`,
      async check() {
        const rule = (await lifecycleRules()).find((r) => r.ID === lifecycle.ID);
        if (!rule) return 'missing';
        return rule.Expiration?.Days === days && rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation === days ? 'ok' : 'drifted';
      },
      async apply() {
        const others = (await lifecycleRules()).filter((rule) => rule.ID !== lifecycle.ID);
        await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: dockBucket, LifecycleConfiguration: { Rules: [lifecycle, ...others] } }));
      },
    },
    {
      label: `the persistent topic ${names.topicName}, pushing to LFS's intake (${names.intakeUrl.replace(/[^/]+$/, '<secret>')})`,
      async check() {
        const found = await sns.send(new GetTopicAttributesCommand({ TopicArn: names.topicArn })).catch((error: unknown) => {
          if (isMissing(error, 'NotFound', 'NotFoundException', 'NoSuchEntity')) return undefined;
          throw error;
        });
        if (!found?.Attributes) return 'missing';
        const endpoint = JSON.parse(found.Attributes.EndPoint ?? '{}') as { EndpointAddress?: string; EndpointArgs?: string };
        const persistent = /(^|&)persistent=true(&|$)/.test(endpoint.EndpointArgs ?? '');
        return endpoint.EndpointAddress === names.intakeUrl && persistent ? 'ok' : 'drifted';
      },
      // The gateway's CreateTopic replaces the attributes of a topic that exists.
      apply: () =>
        sns
          .send(new CreateTopicCommand({ Name: names.topicName, Attributes: { 'push-endpoint': names.intakeUrl, persistent: 'true' } }))
          .then((created) => {
            if (created.TopicArn) names.topicArn = created.TopicArn;
          }),
    },
    {
      label: `the dock's notification ${notification().Id}: s3:ObjectCreated:* under uploads/ to ${names.topicName}`,
      async check() {
        const wanted = notification();
        const found = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: dockBucket }));
        const mine = (found.TopicConfigurations ?? []).find((t) => t.Id === wanted.Id);
        if (!mine) return 'missing';
        const prefix = mine.Filter?.Key?.FilterRules?.find((rule) => rule.Name?.toLowerCase() === 'prefix')?.Value;
        return mine.TopicArn === wanted.TopicArn && prefix === 'uploads/' && same(mine.Events, wanted.Events) ? 'ok' : 'drifted';
      },
      async apply() {
        const found = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: dockBucket }));
        const wanted = notification();
        const others = (found.TopicConfigurations ?? []).filter((topic) => topic.Id !== wanted.Id);
        await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: dockBucket, NotificationConfiguration: { TopicConfigurations: [wanted, ...others] } }));
      },
    },
  ];
}

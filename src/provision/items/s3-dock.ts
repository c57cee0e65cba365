import {
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type CORSRule,
  type Event,
  type NotificationConfiguration,
  type LifecycleRule,
  type QueueConfiguration,
} from '@aws-sdk/client-s3';
import { sortKeys } from '../canonical.js';
import type { Item, LiveContext } from '../context.js';
import type { BucketSpec, DesiredState } from '../desired.js';
import { text, type Json } from '../values.js';
import { NO_BUCKET } from './s3-bucket.js';

/*
 * The dock's CORS rule, lifecycle rule and notification. Each is one entry
 * (named by its id) in a list S3 replaces whole: entries with other ids, an
 * operator's own, are read and written back unchanged.
 */

const dockOf = (state: DesiredState) => state.buckets.find((bucket) => bucket.which === 'dock')!;
const labelOf = (spec: BucketSpec, what: string) => `the dock bucket ${spec.name}: its ${what}`;
const json = (value: unknown) => sortKeys(JSON.parse(JSON.stringify(value)) as Json) as Json;

/**
 * An item for the rule named `rule.ID` in a list the bucket keeps whole:
 * compared by `comparable`, written back with the other rules unchanged.
 */
function ruleItem<Rule extends { ID?: string }>(options: {
  id: string;
  label: string;
  rule: Rule;
  read(): Promise<Rule[]>;
  comparable(rule: Rule): Json;
  write(rules: Rule[]): Promise<unknown>;
}): Item {
  const { rule, read, comparable } = options;
  return {
    id: options.id,
    label: options.label,
    service: 's3',
    parent: 's3:dock',
    desired: comparable(rule),
    async read() {
      const found = (await read()).find((candidate) => candidate.ID === rule.ID);
      return found && comparable(found);
    },
    async apply() {
      const others = (await read()).filter((candidate) => candidate.ID !== rule.ID);
      await options.write([rule, ...others]);
    },
  };
}

export function corsItem(state: DesiredState, context: LiveContext): Item {
  const spec = dockOf(state);
  const rule = spec.cors!;
  const { s3 } = context.clients;
  const label = labelOf(spec, `CORS rule ${rule.ID} (origins ${rule.AllowedOrigins.join(', ')})`);
  return ruleItem<CORSRule>({
    id: 's3:dock:cors',
    label,
    rule,
    read: async () =>
      (await context.lookup('s3:GetBucketCORS', label, [...NO_BUCKET, 'NoSuchCORSConfiguration'], () => s3.send(new GetBucketCorsCommand({ Bucket: spec.name }))))?.CORSRules ?? [],
    comparable: (found) => json({ ...found, ExposeHeaders: found.ExposeHeaders ?? [], AllowedHeaders: found.AllowedHeaders ?? [] }),
    write: (CORSRules) => context.call('s3:PutBucketCORS', label, () => s3.send(new PutBucketCorsCommand({ Bucket: spec.name, CORSConfiguration: { CORSRules } }))),
  });
}

export function lifecycleItem(state: DesiredState, context: LiveContext): Item {
  const spec = dockOf(state);
  const rule = spec.lifecycle!;
  const { s3 } = context.clients;
  const label = labelOf(spec, `lifecycle rule ${rule.ID} (${rule.Expiration.Days} days)`);
  return ruleItem<LifecycleRule>({
    id: 's3:dock:lifecycle',
    label,
    rule,
    read: async () =>
      (
        await context.lookup('s3:GetLifecycleConfiguration', label, [...NO_BUCKET, 'NoSuchLifecycleConfiguration'], () =>
          s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: spec.name })),
        )
      )?.Rules ?? [],
    // S3 answers a rule for the whole bucket as Filter {} or Filter { Prefix: '' }: the same rule.
    comparable: (found) => json({ ...found, Filter: { Prefix: found.Filter?.Prefix ?? '' } }),
    write: (Rules) =>
      context.call('s3:PutLifecycleConfiguration', label, () =>
        s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: spec.name, LifecycleConfiguration: { Rules } })),
      ),
  });
}

export function notificationItem(state: DesiredState, context: LiveContext): Item {
  const spec = dockOf(state);
  const entry: QueueConfiguration = { ...spec.notification!, QueueArn: text(spec.notification!.QueueArn), Events: spec.notification!.Events as Event[] };
  const { s3 } = context.clients;
  const label = labelOf(spec, `ObjectCreated notification to ${entry.QueueArn}`);
  const read = async (): Promise<NotificationConfiguration> => {
    const got = await context.lookup('s3:GetBucketNotification', label, NO_BUCKET, () => s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: spec.name })));
    if (!got) return {};
    const { $metadata: _metadata, ...configuration } = got;
    return configuration;
  };
  // S3 answers filter rule names capitalised (`Prefix`) whatever was sent.
  const comparable = (found: QueueConfiguration) =>
    json({
      ...found,
      Events: [...(found.Events ?? [])].sort(),
      Filter: { Key: { FilterRules: (found.Filter?.Key?.FilterRules ?? []).map((rule) => ({ Name: rule.Name?.toLowerCase(), Value: rule.Value })) } },
    });
  return {
    id: 's3:dock:notification',
    label,
    service: 's3',
    parent: 's3:dock',
    desired: comparable(entry),
    async read() {
      const found = (await read()).QueueConfigurations?.find((candidate) => candidate.Id === entry.Id);
      return found && comparable(found);
    },
    async apply() {
      const current = await read();
      const others = (current.QueueConfigurations ?? []).filter((candidate) => candidate.Id !== entry.Id);
      await context.call('s3:PutBucketNotification', label, () =>
        s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: spec.name, NotificationConfiguration: { ...current, QueueConfigurations: [entry, ...others] } })),
      );
    },
  };
}

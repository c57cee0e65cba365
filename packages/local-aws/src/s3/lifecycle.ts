import { AwsError } from '../errors.js';
import type { S3Context } from './context.js';
import { segmentsOf } from './store.js';
import { asArray, parseXml, s3Document } from '../xml.js';

export interface LifecycleRule {
  ID?: string;
  Status: 'Enabled' | 'Disabled';
  Prefix: string;
  ExpirationDays?: number;
  AbortIncompleteMultipartUploadDays?: number;
}

export function parseLifecycle(text: string): LifecycleRule[] {
  const root = parseXml(text, 'LifecycleConfiguration');
  const rules = asArray(root.Rule as Record<string, unknown> | Record<string, unknown>[]).map((rule) => {
    const status = rule.Status;
    if (status !== 'Enabled' && status !== 'Disabled') throw new AwsError('MalformedXML');
    const filter = rule.Filter as { Prefix?: string; And?: { Prefix?: string } } | string | undefined;
    const prefix = typeof filter === 'object' ? (filter.Prefix ?? filter.And?.Prefix ?? '') : String(rule.Prefix ?? '');
    const days = (value: unknown) => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new AwsError('InvalidArgument', "'Days' for Expiration action must be a positive integer");
      return n;
    };
    const parsed: LifecycleRule = {
      ID: typeof rule.ID === 'string' ? rule.ID : undefined,
      Status: status,
      Prefix: String(prefix ?? ''),
      ExpirationDays: days((rule.Expiration as { Days?: unknown } | undefined)?.Days),
      AbortIncompleteMultipartUploadDays: days((rule.AbortIncompleteMultipartUpload as { DaysAfterInitiation?: unknown } | undefined)?.DaysAfterInitiation),
    };
    if (parsed.ExpirationDays === undefined && parsed.AbortIncompleteMultipartUploadDays === undefined) {
      throw new AwsError('InvalidRequest', 'At least one action needs to be specified in a rule');
    }
    return parsed;
  });
  if (rules.length === 0 || rules.length > 1000) throw new AwsError('MalformedXML');
  return rules;
}

export function renderLifecycle(rules: LifecycleRule[]): string {
  return s3Document('LifecycleConfiguration', {
    Rule: rules.map((r) => ({
      ID: r.ID,
      Filter: { Prefix: r.Prefix },
      Status: r.Status,
      Expiration: r.ExpirationDays !== undefined ? { Days: r.ExpirationDays } : undefined,
      AbortIncompleteMultipartUpload: r.AbortIncompleteMultipartUploadDays !== undefined ? { DaysAfterInitiation: r.AbortIncompleteMultipartUploadDays } : undefined,
    })),
  });
}

/**
 * Applies every bucket's enabled rules once: expires objects and aborts
 * multipart uploads older than their rule's days. `dayMs` is a day's length
 * (shortened in tests). Returns how many objects and uploads were removed.
 */
export async function sweepLifecycle(ctx: S3Context, dayMs: number, now = Date.now()): Promise<{ objects: number; uploads: number }> {
  let objects = 0;
  let uploads = 0;
  for (const bucket of ctx.store.listBuckets.all()) {
    if (!bucket.lifecycle) continue;
    for (const rule of JSON.parse(bucket.lifecycle) as LifecycleRule[]) {
      if (rule.Status !== 'Enabled') continue;
      if (rule.ExpirationDays !== undefined) {
        const cutoff = now - rule.ExpirationDays * dayMs;
        // ISO-8601 timestamps compare as strings.
        const expired = ctx.db
          .prepare<[string, string, string, string], { key: string }>('SELECT key FROM s3_objects WHERE bucket = ? AND substr(key, 1, length(?)) = ? AND last_modified < ?')
          .all(bucket.name, rule.Prefix, rule.Prefix, new Date(cutoff).toISOString());
        for (const { key } of expired) {
          const blobs = ctx.db.transaction(() => {
            const row = ctx.store.getObject.get(bucket.name, key);
            if (!row || Date.parse(row.last_modified) >= cutoff) return [];
            ctx.store.deleteObject.run(bucket.name, key);
            return segmentsOf(row).map((s) => s.blob);
          })();
          if (blobs.length) objects += 1;
          await ctx.blobs.remove(blobs);
        }
      }
      if (rule.AbortIncompleteMultipartUploadDays !== undefined) {
        const cutoff = now - rule.AbortIncompleteMultipartUploadDays * dayMs;
        for (const upload of ctx.store.listUploads.all(bucket.name)) {
          if (!upload.key.startsWith(rule.Prefix) || Date.parse(upload.initiated) >= cutoff) continue;
          const blobs = ctx.db.transaction(() => {
            const parts = ctx.store.listParts.all(upload.upload_id);
            ctx.store.deleteUpload.run(upload.upload_id);
            return parts.map((p) => p.blob);
          })();
          uploads += 1;
          await ctx.blobs.remove(blobs);
        }
      }
    }
  }
  return { objects, uploads };
}

import type { S3Context } from './context.js';
import { afterDays, expirationOf, scopeOf, storedRules } from './lifecycle.js';
import { segmentsOf } from './store.js';

/** Completed uploads are remembered this long, so a repeated CompleteMultipartUpload gets its answer again. */
export const COMPLETED_UPLOAD_TTL_MS = 24 * 3600 * 1000;

/**
 * Applies every bucket's enabled rules once: removes the objects whose
 * expiration (the same one `x-amz-expiration` announces) has come, and
 * aborts multipart uploads older than their rule's days. `dayMs` is a day's
 * length (shortened in tests). Returns how many objects and uploads were
 * removed.
 */
export async function sweepLifecycle(ctx: S3Context, dayMs: number, now = Date.now()): Promise<{ objects: number; uploads: number }> {
  let objects = 0;
  let uploads = 0;
  ctx.store.forgetCompletedUploads.run(new Date(now - COMPLETED_UPLOAD_TTL_MS).toISOString());
  for (const bucket of ctx.store.listBuckets.all()) {
    if (!bucket.lifecycle) continue;
    const rules = storedRules(bucket.lifecycle).filter((rule) => rule.Status === 'Enabled');
    const expiring = rules.filter((rule) => rule.Expiration?.Days !== undefined || rule.Expiration?.Date !== undefined);
    if (expiring.length) {
      // Listed whole first: the loop below writes and awaits, which an open SQLite iterator would block.
      for (const row of ctx.store.listBucketObjects.all(bucket.name)) {
        const expiry = expirationOf(expiring, row, dayMs);
        if (!expiry || expiry.at > now) continue;
        const blobs = ctx.db.transaction(() => {
          const current = ctx.store.getObject.get(bucket.name, row.key);
          // Replaced since it was listed: the new version has its own expiration.
          if (!current || current.last_modified !== row.last_modified) return [];
          ctx.store.deleteObject.run(bucket.name, row.key);
          return segmentsOf(current).map((s) => s.blob);
        })();
        if (blobs.length) objects += 1;
        await ctx.blobs.remove(blobs);
      }
    }
    for (const rule of rules) {
      const days = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
      if (days === undefined) continue;
      const { prefix } = scopeOf(rule);
      for (const upload of ctx.store.listUploads.all(bucket.name)) {
        if (!upload.key.startsWith(prefix) || afterDays(Date.parse(upload.initiated), Number(days), dayMs) > now) continue;
        const blobs = ctx.db.transaction(() => {
          if (!ctx.store.getUpload.get(upload.upload_id)) return undefined;
          const parts = ctx.store.listParts.all(upload.upload_id);
          ctx.store.deleteUpload.run(upload.upload_id);
          return parts.map((p) => p.blob);
        })();
        if (!blobs) continue;
        uploads += 1;
        await ctx.blobs.remove(blobs);
      }
    }
  }
  return { objects, uploads };
}

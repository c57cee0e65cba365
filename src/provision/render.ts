import { structuredPatch } from 'diff';
import { sortKeys } from './canonical.js';
import type { Change } from './engine.js';
import type { ProvisionResult } from './provision.js';
import type { Json } from './values.js';

const INDENT = '      ';
const pretty = (value: Json | undefined) => `${JSON.stringify(sortKeys(value), null, 2)}\n`;

/**
 * What changes, as a unified diff of the compared JSON (what is there, then
 * what LFS needs): a policy or a rule reads like a code review. `diff`
 * (jsdiff) computes it rather than a JSON-structure differ, because a
 * line diff of pretty-printed, key-sorted JSON is what people already read.
 */
function describe(change: Change): string[] {
  const { item, kind, actual } = change;
  if (kind === 'create') {
    const body = item.desired && typeof item.desired === 'object' && Object.keys(item.desired).length > 0 ? pretty(item.desired) : '';
    return [`+ create  ${item.label}`, ...body.trimEnd().split('\n').filter(Boolean).map((line) => `${INDENT}+ ${line}`)];
  }
  const patch = structuredPatch('there', 'needed', pretty(actual), pretty(item.desired), undefined, undefined, { context: 2 });
  const lines = patch.hunks.flatMap((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines]);
  return [`~ update  ${item.label}`, ...lines.map((line) => `${INDENT}${line}`)];
}

export interface RenderOptions {
  /** `plan`: nothing was changed (--dry-run); `apply`: the changes were made and read back. */
  mode: 'plan' | 'apply';
  endpoint: string | undefined;
}

/** The plan (or what was done) for an operator: where, as whom, each change with its diff, and the totals. */
export function renderPlan(result: ProvisionResult, options: RenderOptions): string {
  const lines = [
    `${options.mode === 'plan' ? 'Plan (dry run, nothing changed)' : 'Provisioning'} on ${options.endpoint ?? 'AWS'}: account ${result.accountId}, as ${result.callerArn}`,
    `LFS's principal: ${result.lfsPrincipalArn} (${result.lfsPrincipalSource})`,
    ...result.notes.map((note) => `note: ${note}`),
  ];
  const count = (kind: Change['kind']) => result.changes.filter((change) => change.kind === kind).length;
  const [created, updated, unchanged] = [count('create'), count('update'), count('none')];
  if (created + updated === 0) {
    lines.push(`No changes: the ${unchanged} resources and settings LFS needs are in place.`);
    return `${lines.join('\n')}\n`;
  }
  lines.push('');
  for (const change of result.changes) if (change.kind !== 'none') lines.push(...describe(change));
  lines.push('');
  lines.push(
    options.mode === 'plan'
      ? `Plan: ${created} to create, ${updated} to update, ${unchanged} unchanged. Run lfs provision without --dry-run to apply it.`
      : `Done: ${created} created, ${updated} updated, ${unchanged} unchanged; everything reads back as LFS needs it.`,
  );
  return `${lines.join('\n')}\n`;
}

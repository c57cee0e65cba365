import { sameJson } from './canonical.js';
import type { Item, LiveContext } from './context.js';
import { desiredState, type DesiredState } from './desired.js';
import { ProvisionError, RUN_PROVISION } from './errors.js';
import type { Json } from './values.js';

export type ChangeKind = 'create' | 'update' | 'none';

export interface Change {
  item: Item;
  kind: ChangeKind;
  actual: Json | undefined;
}

/** Builds one item from the desired state as known so far (earlier items fill in ARNs). */
export type Step = (state: DesiredState, context: LiveContext) => Item | undefined;

export type Mode = 'plan' | 'apply';

export interface RunResult {
  changes: Change[];
  /** Items that could not be read (check mode only: `apply` and `plan` stop at the first). */
  problems: ProvisionError[];
}

export interface RunOptions {
  mode: Mode;
  /** Keep going past an item that cannot be read, collecting its problem (the start-up check). */
  collect?: boolean;
  /** Items left out (services or settings the endpoint does not have yet). */
  skip?: (item: Item) => boolean;
}

/**
 * Reads each item, compares it with what LFS needs, and in `apply` mode
 * creates or updates it before going on: later items (a bucket's
 * encryption) need what earlier ones created (the key's ARN). Every step
 * is idempotent, so a run stopped half-way is finished by the next.
 */
export async function runSteps(steps: Step[], context: LiveContext, options: RunOptions): Promise<RunResult> {
  const changes: Change[] = [];
  const problems: ProvisionError[] = [];
  const missing = new Set<string>();
  for (const step of steps) {
    const item = step(desiredState(context.config, context.refs, context.target), context);
    if (!item || options.skip?.(item)) continue;
    if (item.parent && missing.has(item.parent) && options.mode === 'plan') {
      // Its resource does not exist yet: it is created with it.
      missing.add(item.id);
      changes.push({ item, kind: 'create', actual: undefined });
      continue;
    }
    let actual: Json | undefined;
    try {
      actual = await item.read();
    } catch (error) {
      if (!options.collect || !(error instanceof ProvisionError)) throw error;
      problems.push(error);
      continue;
    }
    const kind: ChangeKind = actual === undefined ? 'create' : sameJson(actual, item.desired) ? 'none' : 'update';
    if (kind === 'create') missing.add(item.id);
    changes.push({ item, kind, actual });
    if (options.mode === 'apply' && kind !== 'none') {
      await item.apply(actual);
      missing.delete(item.id);
    }
  }
  return { changes, problems };
}

/** After an apply: everything must now read back as desired, or the endpoint did not keep it. */
export async function verifyApplied(steps: Step[], context: LiveContext, skip?: (item: Item) => boolean): Promise<void> {
  const { changes } = await runSteps(steps, context, { mode: 'plan', skip });
  const left = changes.find((change) => change.kind !== 'none');
  if (left) {
    throw new ProvisionError(
      'DRIFTED',
      `${left.item.label} does not read back as it was written (${left.kind === 'create' ? 'still missing' : 'still different'})`,
      `check that the endpoint keeps this setting, then ${RUN_PROVISION}`,
    );
  }
}

/** The problems the start-up check reports: one per missing or drifted item, each with its fix. */
export function problemsOf(result: RunResult): ProvisionError[] {
  const reported = new Set<string>();
  const problems = [...result.problems];
  for (const { item, kind } of result.changes) {
    if (kind === 'none') continue;
    reported.add(item.id);
    // A missing bucket implies its settings are missing too: name the bucket only.
    if (item.parent && reported.has(item.parent)) continue;
    problems.push(
      kind === 'create'
        ? new ProvisionError('MISSING', `${item.label} does not exist`, RUN_PROVISION)
        : new ProvisionError('DRIFTED', `${item.label} differs from what LFS needs`, RUN_PROVISION),
    );
  }
  return problems;
}

import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from '../aws/clients.js';
import { uploadRoleArnOf, type Config } from '../config.js';
import { canonicalPolicy, parsePolicyText } from './canonical.js';
import { createLiveContext, type Item, type LiveContext, type LiveRefs } from './context.js';
import { desiredState, isAlias, roleNameAndPath, targetOf } from './desired.js';
import { problemsOf, runSteps, verifyApplied, type Change } from './engine.js';
import { ProvisionError, type Caller } from './errors.js';
import { provisioningSteps } from './steps.js';
import { queueArnOf } from './values.js';

export interface ProvisionOptions {
  clients: AwsClients;
  config: Config;
  /** Who runs it: `lfs provision`, or LFS at start (which decides the fixes the errors name). */
  caller: Caller;
  /** `plan` reads and compares; `apply` also creates and fixes, then reads everything back; `check` is `plan` that goes on past unreadable items. */
  mode: 'plan' | 'apply' | 'check';
  /** LFS's own principal; see `resolveLfsPrincipal`. */
  lfsPrincipalArn?: string;
  /** Create LFS's user when missing and put LFS's policy on its user or role. */
  lfsPolicy?: boolean;
  /** Items left out (see `EMBEDDED_WITHOUT_KMS_IAM` in aws/storage.ts). */
  skip?: (item: Item) => boolean;
  /** References already known (keys made in process by the embedded endpoint). */
  known?: Partial<LiveRefs>;
}

export interface ProvisionResult {
  accountId: string;
  /** Who made the calls, as STS names it. */
  callerArn: string;
  lfsPrincipalArn: string;
  /** How LFS's principal was decided, for the plan's header. */
  lfsPrincipalSource: string;
  changes: Change[];
  notes: string[];
  /** `check` only: what is missing or drifted, one line each. */
  problems: ProvisionError[];
  /** `check` only: what could not be checked on this endpoint. */
  warnings: ProvisionError[];
  refs: LiveRefs;
  queueUrls: Map<string, string>;
}

/** An assumed-role session counts as its role (the ARN policies name); users and the root as themselves. */
export function principalOfCaller(callerArn: string): string {
  const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : callerArn;
}

async function whoAmI(context: Pick<LiveContext, 'call' | 'clients' | 'config'>): Promise<{ accountId: string; callerArn: string }> {
  const identity = await context.call('sts:GetCallerIdentity', 'the identity of these credentials', () => context.clients.sts.send(new GetCallerIdentityCommand({})));
  const accountId = identity.Account!;
  const configured = context.config.aws.accountId;
  if (configured && configured !== accountId) {
    throw new ProvisionError('INVALID', `LFS_AWS_ACCOUNT_ID is ${configured} but the credentials are of account ${accountId}`, 'fix LFS_AWS_ACCOUNT_ID or the credentials');
  }
  return { accountId, callerArn: identity.Arn! };
}

/**
 * LFS's principal: the one given; for LFS itself, its own identity; for
 * `lfs provision`, the one the upload role already trusts (so a second run
 * needs no flag), else whoever runs it.
 */
async function resolveLfsPrincipal(options: ProvisionOptions, context: LiveContext, callerArn: string): Promise<{ arn: string; source: string }> {
  if (options.lfsPrincipalArn) return { arn: options.lfsPrincipalArn, source: 'given' };
  if (options.caller === 'lfs') return { arn: principalOfCaller(callerArn), source: "LFS's own credentials" };
  if (!options.skip?.({ service: 'iam' } as Item)) {
    const { name } = roleNameAndPath(options.config.storage.uploadRoleArn);
    const role = await context
      .lookup('iam:GetRole', `the upload role ${name}`, ['NoSuchEntity', 'NoSuchEntityException'], () => context.clients.iam.send(new GetRoleCommand({ RoleName: name })))
      .catch(() => undefined);
    const trust = role?.Role?.AssumeRolePolicyDocument;
    const named = trust ? (canonicalPolicy(parsePolicyText(trust)) as { Statement: { Principal?: { AWS?: string[] } }[] }).Statement.flatMap((s) => s.Principal?.AWS ?? []) : [];
    if (named.length === 1) return { arn: named[0], source: `trusted by the upload role ${name}; --lfs-principal changes it` };
  }
  return { arn: principalOfCaller(callerArn), source: 'the caller; --lfs-principal names another' };
}

function initialRefs(config: Config, accountId: string, lfsPrincipalArn: string, known: Partial<LiveRefs>): LiveRefs {
  const { region } = config.aws;
  const { storage } = config;
  const keyArn = (configured: string) =>
    isAlias(configured) ? `arn:aws:kms:${region}:${accountId}:key/<the key ${configured} gets>` : configured.startsWith('arn:') ? configured : `arn:aws:kms:${region}:${accountId}:key/${configured}`;
  return {
    accountId,
    region,
    accountRootArn: `arn:aws:iam::${accountId}:root`,
    lfsPrincipalArn,
    uploadRoleArn: uploadRoleArnOf(config, accountId),
    dockKeyArn: keyArn(storage.dockKmsKeyId),
    vaultKeyArn: keyArn(storage.vaultKmsKeyId),
    dockEventsQueueArn: queueArnOf(region, accountId, storage.dockEventsQueue),
    deadLetterQueueArn: queueArnOf(region, accountId, `${storage.dockEventsQueue}-dlq`),
    fileEventsQueueArn: queueArnOf(region, accountId, storage.fileEventsQueue),
    ...known,
  };
}

/** Plans, applies (then reads everything back) or checks everything LFS needs in its account. */
export async function provision(options: ProvisionOptions): Promise<ProvisionResult> {
  const { config } = options;
  const target = targetOf(config);
  const bare = createLiveContext({ clients: options.clients, config, target, caller: options.caller, refs: {} as LiveRefs });
  const { accountId, callerArn } = await whoAmI(bare);
  const principal = await resolveLfsPrincipal(options, bare, callerArn);
  const context = createLiveContext({ clients: options.clients, config, target, caller: options.caller, refs: initialRefs(config, accountId, principal.arn, options.known ?? {}) });
  const steps = provisioningSteps({ lfsPolicy: options.lfsPolicy });
  const checking = options.mode === 'check';
  const result = await runSteps(steps, context, { mode: options.mode === 'apply' ? 'apply' : 'plan', collect: checking, skip: options.skip });
  if (options.mode === 'apply') await verifyApplied(steps, context, options.skip);
  const problems = checking ? problemsOf(result) : [];
  return {
    accountId,
    callerArn,
    lfsPrincipalArn: principal.arn,
    lfsPrincipalSource: principal.source,
    changes: result.changes,
    notes: desiredState(config, context.refs, target).notes,
    problems: problems.filter((problem) => problem.code !== 'NOT_IMPLEMENTED'),
    warnings: problems.filter((problem) => problem.code === 'NOT_IMPLEMENTED'),
    refs: context.refs,
    queueUrls: context.queueUrls,
  };
}

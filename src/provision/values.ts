/**
 * The desired state is written once and read two ways: live provisioning
 * fills it with the account's real ARNs (plain strings), the CloudFormation
 * template with intrinsic functions that CloudFormation resolves. A `Str` is
 * either.
 */
export type Intrinsic = { Ref: string } | { 'Fn::GetAtt': [string, string] } | { 'Fn::Sub': string };
export type Str = string | Intrinsic;

/** A JSON value whose strings may be intrinsics (policies, configurations). */
export type Json = Str | number | boolean | null | Json[] | { [key: string]: Json | undefined };

/**
 * What the desired state refers to but does not decide itself: who LFS is,
 * where it runs, and the ARNs of what provisioning creates (known live once
 * created; CloudFormation references otherwise).
 */
export interface Refs {
  accountId: Str;
  region: Str;
  /** The ARN of the account's root: key administration is delegated to the account's IAM. */
  accountRootArn: Str;
  /** LFS's own IAM principal (a role or user ARN, or the account root). */
  lfsPrincipalArn: Str;
  uploadRoleArn: Str;
  dockKeyArn: Str;
  vaultKeyArn: Str;
  dockEventsQueueArn: Str;
  deadLetterQueueArn: Str;
  fileEventsQueueArn: Str;
}

/** The string of a live value; an intrinsic here is a bug (it belongs in a template only). */
export function text(value: Str): string {
  if (typeof value !== 'string') throw new TypeError(`expected a resolved value, got ${JSON.stringify(value)}`);
  return value;
}

/** Queue ARNs follow one pattern, so a queue not yet created can be named in a plan. */
export const queueArnOf = (region: string, accountId: string, name: string) => `arn:aws:sqs:${region}:${accountId}:${name}`;
export const bucketArnOf = (bucket: string) => `arn:aws:s3:::${bucket}`;

/**
 * How an upload session is named, said once: the credential issuer names
 * every session of a file this way (refreshes included), and a revocation
 * denies exactly this name. If the two ever disagreed, revoking would
 * silently stop matching the credentials it means to end.
 */

/** RoleSessionName of a file's upload credentials; STS allows 64 characters, and CloudTrail shows the file id. */
export const sessionNameOf = (fileId: string): string => `lfs-${fileId}`.slice(0, 64);

/** `arn:aws:sts::<account>:assumed-role/<role name>/<session>`, as STS reports the session: the role's path is not part of it. */
export function sessionArnOf(roleArn: string, fileId: string): string {
  // The account is empty (or the tenant) on Ceph's gateway: arn:aws:iam:::role/name.
  const match = /^arn:(aws[\w-]*):iam::(\d{12}|[\w-]*):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  if (!match) throw new Error(`not a role ARN: ${roleArn}`);
  const [, partition, account, roleName] = match;
  return `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionNameOf(fileId)}`;
}

import { AwsError } from '../../errors.js';
import { epochSeconds, optionalString, requiredString, type KmsContext, type KmsOperation } from './context.js';

/** KMS's alias operations. An alias needs permission on the alias (IAM) and on its key (key policy), as in KMS. */

const ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

function aliasArn(ctx: KmsContext, alias: string): string {
  return `arn:aws:kms:${ctx.region}:${ctx.accountId}:${alias}`;
}

function checkName(alias: string): void {
  if (!ALIAS.test(alias)) throw new AwsError('ValidationException', `1 validation error detected: Value '${alias}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$`);
  if (alias.startsWith('alias/aws/')) throw new AwsError('InvalidAliasNameException', 'Aliases beginning with alias/aws/ are reserved for AWS managed keys.');
}

export const createAlias: KmsOperation = (ctx, input) => {
  const alias = requiredString(input, 'AliasName');
  checkName(alias);
  const target = requiredString(input, 'TargetKeyId');
  if (target.startsWith('alias/') || target.includes(':alias/')) throw new AwsError('ValidationException', 'TargetKeyId must name a key, not an alias.');
  const key = ctx.key(target);
  ctx.authorizeIdentity('kms:CreateAlias', aliasArn(ctx, alias));
  ctx.authorizeKey('kms:CreateAlias', key);
  if (!ctx.ring.createAlias(alias, key.keyId)) throw new AwsError('AlreadyExistsException', `An alias with the name ${aliasArn(ctx, alias)} already exists`);
  return {};
};

export const deleteAlias: KmsOperation = (ctx, input) => {
  const alias = requiredString(input, 'AliasName');
  const target = ctx.ring.aliases().find((entry) => entry.alias === alias);
  if (!target) throw new AwsError('NotFoundException', `Alias ${aliasArn(ctx, alias)} is not found.`);
  ctx.authorizeIdentity('kms:DeleteAlias', aliasArn(ctx, alias));
  ctx.authorizeKey('kms:DeleteAlias', ctx.key(target.keyId));
  ctx.ring.deleteAlias(alias);
  return {};
};

export const listAliases: KmsOperation = (ctx, input) => {
  ctx.authorizeIdentity('kms:ListAliases', '*');
  const keyId = optionalString(input, 'KeyId');
  const only = keyId === undefined ? undefined : ctx.key(keyId).keyId;
  const aliases = ctx.ring.aliases().filter((entry) => only === undefined || entry.keyId === only);
  return {
    Aliases: aliases.map((entry) => {
      const created = epochSeconds(ctx.ring.info(entry.keyId).createdAt);
      return { AliasName: entry.alias, AliasArn: aliasArn(ctx, entry.alias), TargetKeyId: entry.keyId, CreationDate: created, LastUpdatedDate: created };
    }),
    Truncated: false,
  };
};

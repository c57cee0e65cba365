import { AwsError, isAwsError } from '../../errors.js';
import { evaluate } from '../../iam/policy.js';
import { callerName } from '../../iam/principals.js';
import type { AwsRequest, AwsResponse } from '../../types.js';
import type { KeyRing } from '../index.js';
import { decideKeyUse } from '../key-policy.js';
import { createAlias, deleteAlias, listAliases } from './aliases.js';
import type { Input, KmsContext, KmsOperation } from './context.js';
import { decrypt, encrypt, generateDataKey } from './crypto.js';
import { createKey, describeKey, enableKeyRotation, getKeyPolicy, getKeyRotationStatus, listKeys, putKeyPolicy } from './keys.js';
import { readJsonObject } from '../../json-body.js';

export interface KmsOptions {
  ring: KeyRing;
  accountId: string;
  region: string;
}

export interface Kms {
  /** Handles one JSON 1.1 request (`X-Amz-Target: TrentService.<Operation>`). */
  handle(request: AwsRequest): Promise<AwsResponse>;
}

const operations: Record<string, KmsOperation> = {
  CreateKey: createKey,
  DescribeKey: describeKey,
  ListKeys: listKeys,
  GetKeyPolicy: getKeyPolicy,
  PutKeyPolicy: putKeyPolicy,
  EnableKeyRotation: enableKeyRotation,
  GetKeyRotationStatus: getKeyRotationStatus,
  CreateAlias: createAlias,
  DeleteAlias: deleteAlias,
  ListAliases: listAliases,
  Encrypt: encrypt,
  Decrypt: decrypt,
  GenerateDataKey: generateDataKey,
};

/** KMS requests are small (a 4 KiB plaintext, a 32 KiB policy). */
const MAX_BODY = 256 * 1024;

const readJson = async (request: AwsRequest) => (await readJsonObject(request, MAX_BODY)) as Input;

/**
 * The KMS API over the key ring, with key policies enforced as KMS does: a
 * key's policy must allow each use, itself or by delegating to the account's
 * IAM policies. Keys belong to the endpoint's main account; principals of
 * other accounts reach them only through a key policy naming them (and their
 * own policies).
 */
export function createKms({ ring, accountId, region }: KmsOptions): Kms {
  return {
    async handle(request) {
      const target = request.headers['x-amz-target'] ?? '';
      const action = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
      const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
      if (!operation) throw new AwsError('UnknownOperationException', `The operation ${action || '(none)'} is not known to this endpoint's KMS.`);
      const { principal } = request;
      if (principal.kind === 'anonymous') throw new AwsError('MissingAuthenticationToken');
      const input = await readJson(request);
      const context = {
        'aws:SecureTransport': request.secure ? 'true' : 'false',
        'aws:SourceIp': request.sourceIp,
        'kms:CallerAccount': principal.kind === 'service' ? undefined : principal.accountId,
      };
      const denied = (kmsAction: string, resource: string, why: string) =>
        new AwsError('AccessDeniedException', `User: ${callerName(principal)} is not authorized to perform: ${kmsAction} on resource: ${resource} because ${why}`);
      const ctx: KmsContext = {
        ring,
        accountId,
        region,
        principal,
        context,
        key(reference) {
          try {
            return ring.info(reference);
          } catch (error) {
            if (isAwsError(error) && error.code === 'KMS_NotFoundException') {
              throw new AwsError('NotFoundException', reference.includes('alias/') ? `Alias ${reference} is not found.` : `Key '${reference}' does not exist`);
            }
            throw error;
          }
        },
        authorizeKey(kmsAction, key, extra = {}) {
          if (decideKeyUse(principal, kmsAction, key, accountId, { ...context, ...extra }) !== 'Allow') {
            throw denied(kmsAction, key.arn, 'no resource-based policy allows the action');
          }
        },
        authorizeIdentity(kmsAction, resource) {
          if (evaluate({ principal, action: kmsAction, resource, context, resourceAccount: accountId }) !== 'Allow') {
            throw denied(kmsAction, resource, 'no identity-based policy allows the action');
          }
        },
      };
      const output = operation(ctx, input);
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': request.requestId },
        body: JSON.stringify(output),
      };
    },
  };
}

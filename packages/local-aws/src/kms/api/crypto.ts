import { randomBytes } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { open, seal, sealedKeyId } from '../ciphertext.js';
import { contextKeys, encryptionContext, optionalInteger, optionalString, requiredBlob, requiredString, type KmsOperation } from './context.js';

/** KMS's cryptographic operations on symmetric keys. */

const ALGORITHM = 'SYMMETRIC_DEFAULT';

function checkAlgorithm(input: Record<string, unknown>): void {
  const algorithm = optionalString(input, 'EncryptionAlgorithm');
  if (algorithm !== undefined && algorithm !== ALGORITHM) throw new AwsError('UnsupportedOperationException', `${algorithm} is not valid for a symmetric key.`);
}

export const encrypt: KmsOperation = (ctx, input) => {
  checkAlgorithm(input);
  const key = ctx.key(requiredString(input, 'KeyId'));
  const context = encryptionContext(input);
  ctx.authorizeKey('kms:Encrypt', key, contextKeys(context));
  const plaintext = requiredBlob(input, 'Plaintext', 4096);
  return { CiphertextBlob: seal(key.keyId, key.material, plaintext, context).toString('base64'), KeyId: key.arn, EncryptionAlgorithm: ALGORITHM };
};

export const generateDataKey: KmsOperation = (ctx, input) => {
  const key = ctx.key(requiredString(input, 'KeyId'));
  const context = encryptionContext(input);
  ctx.authorizeKey('kms:GenerateDataKey', key, contextKeys(context));
  const spec = optionalString(input, 'KeySpec');
  const bytes = optionalInteger(input, 'NumberOfBytes', 1, 1024);
  if ((spec === undefined) === (bytes === undefined)) {
    throw new AwsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  if (spec !== undefined && spec !== 'AES_256' && spec !== 'AES_128') {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${spec}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]`);
  }
  const plaintext = randomBytes(bytes ?? (spec === 'AES_128' ? 16 : 32));
  return {
    CiphertextBlob: seal(key.keyId, key.material, plaintext, context).toString('base64'),
    Plaintext: plaintext.toString('base64'),
    KeyId: key.arn,
  };
};

export const decrypt: KmsOperation = (ctx, input) => {
  checkAlgorithm(input);
  const blob = requiredBlob(input, 'CiphertextBlob', 6144);
  const sealedWith = sealedKeyId(blob);
  let key;
  try {
    key = ctx.key(sealedWith);
  } catch {
    throw new AwsError('InvalidCiphertextException');
  }
  const named = optionalString(input, 'KeyId');
  if (named !== undefined && ctx.key(named).keyId !== key.keyId) {
    throw new AwsError('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext.');
  }
  const context = encryptionContext(input);
  ctx.authorizeKey('kms:Decrypt', key, contextKeys(context));
  return { Plaintext: open(blob, key.material, context).toString('base64'), KeyId: key.arn, EncryptionAlgorithm: ALGORITHM };
};

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checksumBytes, validateUploadRequest, type RequestUploadInputShape } from '../../../src/api/validation.js';
import { LfsError } from '../../../src/errors.js';
import { checksumAlgorithms } from '../../../src/files/model.js';

const limits = { maxFileSize: 5 * 1024 ** 4 };
const base: RequestUploadInputShape = { name: 'a.bin', size: 1 };

function fieldOf(input: Partial<RequestUploadInputShape>): string | undefined {
  try {
    validateUploadRequest({ ...base, ...input }, limits);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(LfsError);
    expect((error as LfsError).extensions.code).toBe('BAD_USER_INPUT');
    return (error as LfsError).extensions.field as string;
  }
}

describe('validateUploadRequest', () => {
  it('fills defaults', () => {
    expect(validateUploadRequest(base, limits)).toEqual({ name: 'a.bin', size: 1, contentType: 'application/octet-stream', metadata: {}, checksum: null });
    expect(validateUploadRequest({ ...base, contentType: null, metadata: null, checksum: null }, limits).contentType).toBe('application/octet-stream');
  });

  it.each([
    ['DEL in name', { name: '\u007f' }, 'input.name'],
    ['lone surrogate in name', { name: 'lone \ud800 surrogate' }, 'input.name'],
    ['1025 emoji name', { name: '😀'.repeat(1025) }, 'input.name'],
    ['1024 emoji name', { name: '😀'.repeat(1024) }, undefined],
    ['tab in name', { name: 'tab\tname' }, 'input.name'],
    ['fractional size', { size: 1.5 }, 'input.size'],
    ['size at the limit', { size: limits.maxFileSize }, undefined],
    ['media type without spaces', { contentType: 'text/plain;charset=utf-8' }, undefined],
    ['quoted parameter with space', { contentType: 'multipart/form-data; boundary="a b"' }, undefined],
    ['unterminated quote', { contentType: 'text/plain; charset="unterminated' }, 'input.contentType'],
    ['header injection', { contentType: 'text/plain\r\nX-Injected: 1' }, 'input.contentType'],
    ['over-long media type', { contentType: `text/${'x'.repeat(300)}` }, 'input.contentType'],
    ['metadata over 8 KiB in UTF-8 bytes', { metadata: { note: 'é'.repeat(4100) } }, 'input.metadata'],
    ['metadata under 8 KiB', { metadata: { note: 'e'.repeat(8000) } }, undefined],
  ] as Array<[string, Partial<RequestUploadInputShape>, string | undefined]>)('%s -> %s', (_label, input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  const digests = { CRC32: Buffer.alloc(4, 7), CRC32C: Buffer.alloc(4, 8), CRC64NVME: Buffer.alloc(8, 9), SHA256: createHash('sha256').update('x').digest() };
  it.each(checksumAlgorithms)('accepts a %s digest of the right length only', (algorithm) => {
    const digest = digests[algorithm];
    expect(digest).toHaveLength(checksumBytes[algorithm]);
    expect(fieldOf({ checksum: { algorithm, value: digest.toString('base64') } })).toBeUndefined();
    expect(fieldOf({ checksum: { algorithm, value: Buffer.concat([digest, Buffer.alloc(1)]).toString('base64') } })).toBe('input.checksum.value');
    expect(fieldOf({ checksum: { algorithm, value: digest.toString('base64url').replace(/=+$/, '') + '!' } })).toBe('input.checksum.value');
    expect(fieldOf({ checksum: { algorithm, value: digest.toString('hex') } })).toBe('input.checksum.value');
  });
});

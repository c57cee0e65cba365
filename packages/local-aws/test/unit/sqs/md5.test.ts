import { describe, expect, it } from 'vitest';
import { md5Hex, md5OfAttributes } from '../../../src/sqs/md5.js';

describe('SQS MD5 digests', () => {
  // Published values that real SQS returned for these attributes.
  it.each([
    [{ SellerName: { DataType: 'String', StringValue: 'Example Store' } }, 'cd28f3b68aeee4b2eac9c66f2f694b58'],
    [{ timestamp: { DataType: 'Number', StringValue: '1493147359900' } }, '235c5c510d26fb653d073faed50ae77c'],
    [
      { ordinal: { DataType: 'Number', StringValue: '1' }, category: { DataType: 'String', StringValue: 'test' } },
      'd21ae90c49061e927f57df5f5d72be1f',
    ],
  ])('MD5OfMessageAttributes of %j', (attributes, expected) => {
    expect(md5OfAttributes(attributes)).toBe(expected);
  });

  it('has no attribute digest without attributes and hashes bodies as UTF-8', () => {
    expect(md5OfAttributes({})).toBeUndefined();
    expect(md5Hex('héllo')).toBe('be50e8478cf24ff3595bc7307fb91b50');
  });
});

import { describe, expect, it } from 'vitest';
import { parseS3Message } from '../../../src/promotion/s3-event.js';
import { attachmentDisposition } from '../../../src/files/content-disposition.js';

const record = (key: string, size = 5) => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  eventTime: '2026-11-28T10:00:00.000Z',
  eventName: 'ObjectCreated:CompleteMultipartUpload',
  s3: { bucket: { name: 'dock' }, object: { key, size, eTag: 'abc-2', sequencer: '0001' } },
});

describe('parseS3Message', () => {
  it('reads every record, not just the first, and decodes keys as S3 encodes them', () => {
    const parsed = parseS3Message(JSON.stringify({ Records: [record('uploads/a'), record('uploads/b+c%2Bd', 7)] }));
    expect(parsed).toMatchObject({
      kind: 'records',
      records: [
        { key: 'uploads/a', bucket: 'dock', size: 5, sequencer: '0001' },
        { key: 'uploads/b c+d', size: 7 },
      ],
    });
  });

  it.each([
    ['a test event', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'dock' }), 'test'],
    ['not JSON', '{', 'invalid'],
    ['no records', '{}', 'invalid'],
    ['a record without a key', JSON.stringify({ Records: [{ eventName: 'x', s3: { bucket: { name: 'b' } } }] }), 'invalid'],
  ])('classifies %s', (_name, body, kind) => {
    expect(parseS3Message(body).kind).toBe(kind);
  });
});

describe('attachmentDisposition', () => {
  it.each([
    ['report.pdf', "attachment; filename*=UTF-8''report.pdf"],
    ['holiday video.mp4', "attachment; filename*=UTF-8''holiday%20video.mp4"],
    ["it's (1)*.txt", "attachment; filename*=UTF-8''it%27s%20%281%29%2A.txt"],
    ['résumé.pdf', "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"],
    ['a"b;c.txt', "attachment; filename*=UTF-8''a%22b%3Bc.txt"],
  ])('encodes %j', (name, expected) => {
    expect(attachmentDisposition(name)).toBe(expected);
  });
});

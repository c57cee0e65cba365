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

  it("reads Ceph's records: eventVersion 2.2, eventSource ceph:s3, microseconds, an empty region, the ETag without quotes", () => {
    // As radosgw 16.2 pushes it to a topic's push-endpoint (one record per POST).
    const ceph = {
      eventVersion: '2.2',
      eventSource: 'ceph:s3',
      awsRegion: '',
      eventTime: '2026-12-03T18:55:45.971856Z',
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      userIdentity: { principalId: 'lfs' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'lfs-dock-events',
        bucket: { name: 'dock', ownerIdentity: { principalId: 'lfs' }, arn: 'arn:aws:s3:::dock', id: 'f7.4106.1' },
        object: { key: 'uploads/a', size: 5, eTag: '5d41402abc4b2a76b9719d911017c592-2', versionId: '', sequencer: '31BB116BAB1D153A', metadata: [], tags: [] },
      },
      eventId: '1796324145.974462.5d41402abc4b2a76b9719d911017c592',
      opaqueData: '',
    };
    const parsed = parseS3Message(JSON.stringify({ Records: [ceph] }));
    expect(parsed).toMatchObject({
      kind: 'records',
      records: [{ eventName: 'ObjectCreated:CompleteMultipartUpload', bucket: 'dock', key: 'uploads/a', size: 5, eTag: '5d41402abc4b2a76b9719d911017c592-2' }],
    });
    expect(parsed.kind === 'records' && parsed.records[0].eventTime.toISOString()).toBe('2026-12-03T18:55:45.971Z');
  });

  it('keeps an ETag without its quotes, whichever engine sent it', () => {
    const quoted = { ...record('uploads/a'), s3: { bucket: { name: 'dock' }, object: { key: 'uploads/a', size: 1, eTag: '"abc"' } } };
    expect(parseS3Message(JSON.stringify({ Records: [quoted] }))).toMatchObject({ records: [{ eTag: 'abc' }] });
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

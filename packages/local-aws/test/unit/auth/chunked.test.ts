import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AwsChunkedDecoder, type AwsChunkedOptions } from '../../../src/auth/chunked.js';
import { signingKey } from '../../../src/auth/sigv4.js';

async function decode(pieces: Buffer[], options?: AwsChunkedOptions): Promise<{ body: Buffer; trailers: Record<string, string> }> {
  const decoder = new AwsChunkedDecoder(options);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(pieces).pipe(decoder).on('data', (c: Buffer) => chunks.push(c)).on('end', resolve).on('error', reject);
    decoder.on('error', reject);
  });
  return { body: Buffer.concat(chunks), trailers: decoder.trailers };
}

/** Every way to cut the input in two, plus byte by byte. */
function splits(input: Buffer): [string, Buffer[]][] {
  const out: [string, Buffer[]][] = [['whole', [input]]];
  for (let i = 1; i < input.length; i++) out.push([`cut at ${i}`, [input.subarray(0, i), input.subarray(i)]]);
  out.push(['byte by byte', [...input].map((b) => Buffer.from([b]))]);
  return out;
}

const unsignedTrailer = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');

describe('AwsChunkedDecoder', () => {
  it.each(splits(unsignedTrailer))('de-chunks an unsigned body with a trailer (%s)', async (_name, pieces) => {
    const { body, trailers } = await decode(pieces, { decodedLength: 11 });
    expect(body.toString()).toBe('hello world');
    expect(trailers).toEqual({ 'x-amz-checksum-crc32': 'DUoRhQ==' });
  });

  it('accepts a body that stops after the final chunk (no trailer)', async () => {
    expect((await decode([Buffer.from('3\r\nabc\r\n0\r\n')])).body.toString()).toBe('abc');
  });

  it.each([
    ['a truncated body', '5\r\nhel'],
    ['a bad size line', 'zz\r\nhello\r\n0\r\n\r\n'],
    ['a missing CRLF after data', '5\r\nhelloXX0\r\n\r\n'],
    ['no final chunk', '5\r\nhello\r\n'],
  ])('fails on %s', async (_name, input) => {
    await expect(decode([Buffer.from(input)])).rejects.toMatchObject({ name: 'AwsError', code: 'IncompleteBody' });
  });

  it('fails when the decoded length differs from x-amz-decoded-content-length', async () => {
    await expect(decode([unsignedTrailer], { decodedLength: 12 })).rejects.toMatchObject({ code: 'IncompleteBody' });
  });

  // The worked example of the AWS documentation ("Signature Calculations for the
  // Authorization Header: Transferring Payload in Multiple Chunks").
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const signing = {
    signingKey: signingKey(secret, '20130524', 'us-east-1', 's3'),
    amzDate: '20130524T000000Z',
    scope: '20130524/us-east-1/s3/aws4_request',
    seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  };
  const signedBody = (lastSignature: string) =>
    Buffer.concat([
      Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
      Buffer.alloc(65536, 'a'),
      Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
      Buffer.alloc(1024, 'a'),
      Buffer.from(`\r\n0;chunk-signature=${lastSignature}\r\n\r\n`),
    ]);
  const good = signedBody('b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9');

  it.each([
    ['whole', [good]],
    ['in 1000-byte pieces', Array.from({ length: Math.ceil(good.length / 1000) }, (_, i) => good.subarray(i * 1000, (i + 1) * 1000))],
    ['cut inside a header line', [good.subarray(0, 30), good.subarray(30)]],
  ])('verifies the chain of chunk signatures (%s)', async (_name, pieces) => {
    const { body } = await decode(pieces as Buffer[], { signing, decodedLength: 66560 });
    expect(body.length).toBe(66560);
  });

  it('rejects a broken chunk signature', async () => {
    const bad = signedBody('0'.repeat(64));
    await expect(decode([bad], { signing })).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });
});

import { createHash, createHmac, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AwsError } from '../errors.js';
import { EMPTY_SHA256, sameSignature, sha256Hex } from './sigv4.js';

/** Needed to check `chunk-signature=` values (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]). */
export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  /** The signature of the request headers: the first link of the chain. */
  seedSignature: string;
}

export interface AwsChunkedOptions {
  signing?: ChunkSigning;
  /** `x-amz-decoded-content-length`: the de-chunked body must have exactly this many bytes. */
  decodedLength?: number;
}

/** A chunk-size line or a trailer line longer than this is not a client talking aws-chunked. */
const MAX_LINE = 8 * 1024;
const CRLF = Buffer.from('\r\n');

type State = 'size' | 'data' | 'data-crlf' | 'trailer' | 'done';

/**
 * Streams the payload out of an `aws-chunked` body:
 * `<hex-size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0[;chunk-signature=<sig>]\r\n[<trailer>:<value>\r\n ...]\r\n`.
 * Input may be split anywhere; nothing but one header line is ever held back.
 * Chunk signatures, the trailer signature and the decoded length are verified;
 * a failure errors the stream with an AwsError.
 */
export class AwsChunkedDecoder extends Transform {
  /** Trailing headers (lower-case names), complete once the stream has ended. */
  readonly trailers: Record<string, string> = {};
  private state: State = 'size';
  private line = Buffer.alloc(0);
  private remaining = 0;
  private decoded = 0;
  private chunkSignature = '';
  private previousSignature: string;
  private chunkHash: Hash | undefined;
  private trailerSignature: string | undefined;
  private trailerLines: string[] = [];

  constructor(private readonly options: AwsChunkedOptions = {}) {
    super();
    this.previousSignature = options.signing?.seedSignature ?? '';
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      // A trailer-less stream may stop right after `0\r\n` (the SDK does this without a checksum).
      if (this.state === 'trailer' && this.line.length === 0) this.finishTrailer();
      if (this.state !== 'done') throw new AwsError('IncompleteBody', 'The aws-chunked body ended before its final chunk.');
      if (this.options.decodedLength !== undefined && this.decoded !== this.options.decodedLength) {
        throw new AwsError('IncompleteBody', 'The decoded body length does not match x-amz-decoded-content-length.');
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private consume(input: Buffer): void {
    let offset = 0;
    while (offset < input.length) {
      switch (this.state) {
        case 'size':
        case 'trailer': {
          const end = this.readLine(input, offset);
          if (end < 0) return;
          offset = end;
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, input.length - offset);
          const slice = input.subarray(offset, offset + take);
          this.chunkHash?.update(slice);
          this.push(slice);
          this.remaining -= take;
          this.decoded += take;
          offset += take;
          if (this.remaining === 0) this.state = 'data-crlf';
          break;
        }
        case 'data-crlf': {
          // Two bytes that may arrive in separate reads: collect them as a "line".
          const need = 2 - this.line.length;
          const piece = input.subarray(offset, offset + need);
          this.line = Buffer.concat([this.line, piece]);
          offset += piece.length;
          if (this.line.length === 2) {
            if (!this.line.equals(CRLF)) throw malformedChunk();
            this.line = Buffer.alloc(0);
            this.verifyChunk();
            this.state = 'size';
          }
          break;
        }
        case 'done':
          if (input.subarray(offset).some((b) => b !== 0x0d && b !== 0x0a)) throw malformedChunk();
          return;
      }
    }
  }

  /** Accumulates until CRLF; returns the offset after the line, or -1 when more input is needed. */
  private readLine(input: Buffer, offset: number): number {
    let newline = input.indexOf(0x0a, offset);
    if (newline < 0) {
      this.line = Buffer.concat([this.line, input.subarray(offset)]);
      if (this.line.length > MAX_LINE) throw malformedChunk();
      return -1;
    }
    const full = Buffer.concat([this.line, input.subarray(offset, newline + 1)]);
    this.line = Buffer.alloc(0);
    if (full.length > MAX_LINE || full.length < 2 || full[full.length - 2] !== 0x0d) throw malformedChunk();
    const text = full.subarray(0, full.length - 2).toString('latin1');
    if (this.state === 'size') this.onSizeLine(text);
    else this.onTrailerLine(text);
    newline += 1;
    return newline;
  }

  private onSizeLine(text: string): void {
    const [sizeText, ...extensions] = text.split(';');
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw malformedChunk();
    const size = parseInt(sizeText, 16);
    this.chunkSignature = '';
    for (const extension of extensions) {
      const [name, value] = extension.split('=');
      if (name.trim() === 'chunk-signature') this.chunkSignature = (value ?? '').trim();
    }
    if (this.options.signing && !this.chunkSignature) {
      throw new AwsError('SignatureDoesNotMatch', 'A chunk is missing its chunk-signature.');
    }
    this.chunkHash = this.options.signing ? createHash('sha256') : undefined;
    if (size === 0) {
      this.verifyChunk();
      this.state = 'trailer';
    } else {
      this.remaining = size;
      this.state = 'data';
    }
  }

  private onTrailerLine(text: string): void {
    if (text === '') {
      this.finishTrailer();
      return;
    }
    const colon = text.indexOf(':');
    if (colon <= 0) throw malformedChunk();
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      this.trailerSignature = value;
      return;
    }
    this.trailers[name] = value;
    this.trailerLines.push(`${name}:${value}\n`);
  }

  private finishTrailer(): void {
    const signing = this.options.signing;
    if (signing && this.trailerLines.length > 0) {
      const stringToSign = [
        'AWS4-HMAC-SHA256-TRAILER',
        signing.amzDate,
        signing.scope,
        this.previousSignature,
        sha256Hex(this.trailerLines.join('')),
      ].join('\n');
      const expected = createHmac('sha256', signing.signingKey).update(stringToSign).digest('hex');
      if (!this.trailerSignature || !sameSignature(expected, this.trailerSignature)) {
        throw new AwsError('SignatureDoesNotMatch', 'The trailer signature does not match.');
      }
    }
    this.state = 'done';
  }

  private verifyChunk(): void {
    const signing = this.options.signing;
    if (!signing) return;
    const stringToSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      signing.amzDate,
      signing.scope,
      this.previousSignature,
      EMPTY_SHA256,
      this.chunkHash ? this.chunkHash.digest('hex') : EMPTY_SHA256,
    ].join('\n');
    const expected = createHmac('sha256', signing.signingKey).update(stringToSign).digest('hex');
    if (!sameSignature(expected, this.chunkSignature)) {
      throw new AwsError('SignatureDoesNotMatch', 'The chunk signature does not match.');
    }
    this.previousSignature = this.chunkSignature;
    this.chunkHash = undefined;
  }
}

function malformedChunk(): AwsError {
  return new AwsError('IncompleteBody', 'The aws-chunked body is malformed.');
}

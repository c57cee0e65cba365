import { Readable } from 'node:stream';
import busboy from 'busboy';
import { AwsError } from '../errors.js';
import type { AwsRequest } from '../types.js';

/**
 * The fields before the file are read whole, and S3 caps them (20 KB);
 * everything after the file is ignored, as S3 ignores it.
 */
const MAX_FIELDS_BEFORE_FILE = 20 * 1024;

export interface PostForm {
  /** Field names lower-cased (S3 matches form field names without regard to case), values as sent. */
  fields: Map<string, string>;
  /** The file's field name as sent, for error messages. */
  names: Map<string, string>;
  /** The file's bytes, still streaming from the socket. */
  file: Readable;
  /** The file name the browser gave, for `${filename}` in the key. */
  filename: string;
  /** Stops reading: the rest of the body is left to the HTTP binding to drain or drop. */
  abandon(): void;
}

/**
 * Reads a `multipart/form-data` body up to its file, with busboy: a
 * streaming parser (the file can be gigabytes and is never held) that is
 * small, dependency-light (one dependency, streamsearch) and the one most of
 * the Node ecosystem relies on (multer, fastify's multipart), so its edge
 * cases (boundaries split across reads, header folding, limits) are well
 * trodden. Resolves once the file part starts; its stream then carries the
 * bytes with backpressure, so nothing is read faster than it is written.
 */
export function readPostForm(req: AwsRequest): Promise<PostForm> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new AwsError('PreconditionFailed', undefined, { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' });
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: MAX_FIELDS_BEFORE_FILE, files: 1, headerPairs: 100 } });
  } catch {
    throw new AwsError('MalformedPOSTRequest');
  }
  const body = req.body;
  const fields = new Map<string, string>();
  const names = new Map<string, string>();
  let preFileBytes = 0;
  return new Promise<PostForm>((resolve, reject) => {
    let settled = false;
    const abandon = () => {
      body.unpipe(parser);
      parser.removeAllListeners('field');
      parser.removeAllListeners('file');
      // Late parser errors (the client went away mid-file) have nobody to tell but the file stream.
      parser.on('error', () => {});
    };
    const fail = (error: AwsError) => {
      if (settled) return;
      settled = true;
      abandon();
      reject(error);
    };
    const found = (file: Readable, filename: string) => {
      settled = true;
      parser.removeAllListeners('field');
      resolve({ fields, names, file, filename, abandon });
    };
    parser.on('field', (name, value, info) => {
      preFileBytes += name.length + value.length;
      if (info.valueTruncated || preFileBytes > MAX_FIELDS_BEFORE_FILE) return fail(new AwsError('MaxPostPreDataLengthExceededError'));
      const lower = name.toLowerCase();
      // A file sent as a plain field: its text is the object.
      if (lower === 'file') return found(Readable.from([Buffer.from(value, 'utf8')]), '');
      fields.set(lower, value);
      names.set(lower, name);
    });
    parser.on('file', (_name, stream, info) => {
      if (settled) {
        stream.resume();
        return;
      }
      found(stream, info.filename ?? '');
    });
    parser.on('error', () => fail(new AwsError('MalformedPOSTRequest')));
    parser.on('close', () => fail(new AwsError('IncorrectNumberOfFilesInPostRequest')));
    body.on('error', (error) => fail(error instanceof AwsError ? error : new AwsError('IncompleteBody')));
    body.pipe(parser);
  });
}

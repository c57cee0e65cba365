import { AwsError } from './errors.js';
import type { AwsRequest } from './types.js';

/**
 * The body of a request in AWS's JSON protocol (SQS, KMS): one JSON object,
 * read up to `maxBytes` (these services' requests are small, so anything far
 * larger is refused unread). An empty body is an empty input.
 */
export async function readJsonObject(request: AwsRequest, maxBytes: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new AwsError('SerializationException', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

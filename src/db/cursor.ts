import { InvalidCursorError } from '../files/repository.js';

/** The position of a row in the newest-first order: (createdAt desc, id desc). */
export interface CursorPosition {
  createdAtMs: number;
  id: string;
}

/**
 * Cursors are opaque to clients (base64url JSON) so the order key can change
 * without breaking the API; decoding checks every part because the string
 * comes straight from a caller.
 */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAtMs, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  if (cursor.length === 0 || cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidCursorError();
  const [createdAtMs, id] = parsed as unknown[];
  if (!Number.isSafeInteger(createdAtMs) || typeof id !== 'string' || id.length === 0) throw new InvalidCursorError();
  return { createdAtMs: createdAtMs as number, id };
}

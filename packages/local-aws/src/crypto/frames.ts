import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM } from 'node:crypto';

/**
 * The at-rest format of one blob: a header, then the body as AES-256-GCM
 * frames of FRAME_SIZE plaintext bytes each (the last one shorter), each
 * followed by its 16-byte tag. A range read opens only the frames it touches.
 *
 * ```
 * header: "LFSE" | version(1) | 0 | headerLength(u16) | frameSize(u32) | noncePrefix(8) | wrappedKeyLength(u16) | wrappedKey
 * frame i at headerLength + i * (frameSize + 16): ciphertext | tag
 * ```
 *
 * Nonce of frame i: the blob's random prefix ‖ u32 i, so no nonce repeats
 * under a data key. AAD of frame i: the blob id ‖ u32 i, so frames cannot be
 * reordered within a blob or moved to another. Altering the header changes
 * the nonces, the frame boundaries or the wrapped key, and fails too.
 */
export const FRAME_SIZE = 1024 * 1024;
/**
 * Plaintext handed to one `cipher.update`. Node's Cipheriv cannot encrypt
 * into a buffer it is given: every update allocates its output. At 64 KiB
 * that memory comes from the allocator's reused free lists; at 1 MiB it is
 * fresh mappings the kernel faults in page by page (half the speed, and the
 * system time, measured). The frame format is unchanged.
 */
const UPDATE_SLICE = 64 * 1024;
export const TAG_SIZE = 16;
/** Large enough for any header this code writes; a reader fetches this much first. */
export const MAX_HEADER = 512;

const MAGIC = Buffer.from('LFSE');
const VERSION = 1;
const FIXED = 22;

export interface BlobHeader {
  frameSize: number;
  noncePrefix: Buffer;
  wrappedKey: Buffer;
  /** Where frame 0 starts. */
  length: number;
}

export function newNoncePrefix(): Buffer {
  return randomBytes(8);
}

export function encodeHeader(noncePrefix: Buffer, wrappedKey: Buffer, frameSize = FRAME_SIZE): Buffer {
  const length = FIXED + wrappedKey.length;
  if (length > MAX_HEADER) throw new Error('blob header too large');
  const header = Buffer.alloc(length);
  MAGIC.copy(header, 0);
  header[4] = VERSION;
  header.writeUInt16BE(length, 6);
  header.writeUInt32BE(frameSize, 8);
  noncePrefix.copy(header, 12);
  header.writeUInt16BE(wrappedKey.length, 20);
  wrappedKey.copy(header, FIXED);
  return header;
}

export function decodeHeader(bytes: Buffer): BlobHeader {
  if (bytes.length < FIXED || !bytes.subarray(0, 4).equals(MAGIC) || bytes[4] !== VERSION) throw new Error('not an encrypted blob');
  const length = bytes.readUInt16BE(6);
  const frameSize = bytes.readUInt32BE(8);
  const keyLength = bytes.readUInt16BE(20);
  if (length !== FIXED + keyLength || bytes.length < length || frameSize === 0) throw new Error('corrupt blob header');
  return { frameSize, noncePrefix: Buffer.from(bytes.subarray(12, 20)), wrappedKey: Buffer.from(bytes.subarray(FIXED, length)), length };
}

/** Byte offset of frame `index` in the blob file. */
export function frameOffset(header: Pick<BlobHeader, 'length' | 'frameSize'>, index: number): number {
  return header.length + index * (header.frameSize + TAG_SIZE);
}

/** The blob id (32 hex digits) as AAD bytes. */
export function blobContext(blob: string): Buffer {
  return Buffer.from(blob, 'hex');
}

function nonceOf(prefix: Buffer, index: number): Buffer {
  const nonce = Buffer.allocUnsafe(12);
  prefix.copy(nonce, 0, 0, 8);
  nonce.writeUInt32BE(index, 8);
  return nonce;
}

function aadOf(context: Buffer, index: number): Buffer {
  const aad = Buffer.allocUnsafe(context.length + 4);
  context.copy(aad, 0);
  aad.writeUInt32BE(index, context.length);
  return aad;
}

/**
 * Encrypts a stream of plaintext pieces into frames as they arrive: no
 * plaintext is copied or held back; each piece becomes ciphertext at once,
 * and a tag is emitted whenever a frame fills (and for the last, short one
 * at `finish`).
 */
export class FrameSealer {
  private cipher: CipherGCM | undefined;
  private index = 0;
  private filled = 0;

  constructor(
    private readonly key: Buffer,
    private readonly noncePrefix: Buffer,
    private readonly context: Buffer,
    private readonly frameSize = FRAME_SIZE,
  ) {}

  /** Ciphertext (and tags) for `piece`, appended to `out`. */
  update(piece: Buffer, out: Buffer[]): void {
    let offset = 0;
    while (offset < piece.length) {
      const cipher = (this.cipher ??= this.open());
      const take = Math.min(this.frameSize - this.filled, piece.length - offset, UPDATE_SLICE);
      out.push(cipher.update(offset === 0 && take === piece.length ? piece : piece.subarray(offset, offset + take)));
      this.filled += take;
      offset += take;
      if (this.filled === this.frameSize) this.close(out);
    }
  }

  /** The tag of the last, partial frame, if any. */
  finish(out: Buffer[]): void {
    if (this.cipher) this.close(out);
  }

  private open(): CipherGCM {
    const cipher = createCipheriv('aes-256-gcm', this.key, nonceOf(this.noncePrefix, this.index), { authTagLength: TAG_SIZE });
    cipher.setAAD(aadOf(this.context, this.index));
    return cipher;
  }

  private close(out: Buffer[]): void {
    const cipher = this.cipher!;
    const rest = cipher.final();
    if (rest.length) out.push(rest);
    out.push(cipher.getAuthTag());
    this.cipher = undefined;
    this.filled = 0;
    this.index++;
  }
}

/**
 * Decrypts and authenticates frame `index` (`sealed` = ciphertext ‖ tag),
 * as plaintext slices of at most UPDATE_SLICE bytes (see there why).
 * Nothing is returned before the tag is checked, so a reader never sees
 * bytes that were altered on disk.
 */
export function openFrameSlices(key: Buffer, header: Pick<BlobHeader, 'noncePrefix'>, context: Buffer, index: number, sealed: Buffer): Buffer[] {
  if (sealed.length < TAG_SIZE) throw new Error(`frame ${index} is truncated`);
  const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(header.noncePrefix, index), { authTagLength: TAG_SIZE });
  decipher.setAAD(aadOf(context, index));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  const end = sealed.length - TAG_SIZE;
  const slices: Buffer[] = [];
  for (let offset = 0; offset < end; offset += UPDATE_SLICE) {
    const plain = decipher.update(sealed.subarray(offset, Math.min(end, offset + UPDATE_SLICE)));
    if (plain.length) slices.push(plain);
  }
  const rest = decipher.final();
  if (rest.length) slices.push(rest);
  return slices;
}

/** The plaintext of frame `index` in one buffer (openFrameSlices, joined). */
export function openFrame(key: Buffer, header: Pick<BlobHeader, 'noncePrefix'>, context: Buffer, index: number, sealed: Buffer): Buffer {
  const slices = openFrameSlices(key, header, context, index, sealed);
  return slices.length === 1 ? slices[0] : Buffer.concat(slices);
}

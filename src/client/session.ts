import { combineParts, combines, fromBase64, hasherFor, toBase64, type ChecksumAlgorithm, type Hasher, type Sha256Factory } from './checksums.js';
import { createCredentialHolder, type WireCredentials } from './credentials.js';
import { createDock, dockFailure, type Dock, type DockPart, type UploadTarget } from './dock.js';
import { LfsError, isLfsError } from './errors.js';
import { putThroughLfs } from './fallback.js';
import { DECLARE_CHECKSUM, REFRESH_CREDENTIALS, UPLOAD_CREDENTIALS } from './operations.js';
import { checkFits, inferPartSize, planParts, rangeOf, type PartPlan } from './parts.js';
import { createProgressMeter } from './progress.js';
import { aborted, backoffMs, sleep } from './retry.js';
import type { Source } from './source.js';
import type { ResumeState, ResumeStore } from './store.js';
import type { Transport } from './transport.js';
import type { LfsFile, UploadProgress } from './types.js';

/** What requestUpload or resumeUpload handed out. */
export interface Ticket {
  file: LfsFile;
  target: UploadTarget;
  credentials: WireCredentials;
  uploadId: string | null;
}

export interface SessionInputs {
  transport: Transport;
  /** The GraphQL URL; the fallback route is beside it. */
  url: string;
  fetch: typeof fetch;
  store: ResumeStore;
  sha256: Sha256Factory;
  source: Source;
  ticket: Ticket;
  /** What an earlier run of this client kept, if anything. */
  state: ResumeState | undefined;
  /** For a new multipart upload; a resumed one keeps its own. */
  checksum: ChecksumAlgorithm | null;
  /** Declare the computed checksum to LFS (not when the caller declared one). */
  declare: boolean;
  partSize: number | undefined;
  concurrency: number;
  signal: AbortSignal;
  onProgress: ((progress: UploadProgress) => void) | undefined;
}

/**
 * Puts the source into the dock: resumes the upload an earlier run started
 * (verifying every part already there against the source first, so a wrong
 * source is refused before anything is sent), sends the missing parts, then
 * declares the whole-file checksum and completes. Falls back to
 * `PUT /uploads/<fileId>` through LFS when the dock cannot be reached at all.
 */
export async function sendToDock(inputs: SessionInputs): Promise<void> {
  const { transport, ticket, source, signal } = inputs;
  const fileId = ticket.file.id;
  const holder = createCredentialHolder({
    initial: ticket.credentials,
    refresh: async () => (await transport.execute(REFRESH_CREDENTIALS, { fileId })).refreshUploadCredentials,
  });
  // Pushed credentials come before these expire; a failed subscription leaves the pull as it was.
  const pushes = transport.subscribe(UPLOAD_CREDENTIALS, { fileId, expiration: holder.current.expiration.toISOString() });
  void (async () => {
    for await (const pushed of pushes) holder.accept(pushed.uploadCredentials);
  })().catch(() => {});
  const dock = createDock(ticket.target, holder, signal, fileId);
  try {
    let opened: Awaited<ReturnType<typeof openUpload>>;
    try {
      opened = await openUpload(inputs, dock);
    } catch (error) {
      if (!dockFailure(error).unreachable) throw error;
      if (source.size > ticket.target.fallbackMaxBytes) {
        throw new LfsError('DOCK_UNREACHABLE', `the dock cannot be reached and the file is larger than the ${ticket.target.fallbackMaxBytes} bytes LFS takes itself`, { fileId, cause: error });
      }
      const meter = createProgressMeter(fileId, source.size, 0, inputs.onProgress);
      meter.report('fallback');
      await putThroughLfs({ url: inputs.url, fileId, source, token: await transport.token(), fetch: inputs.fetch, signal });
      meter.add(source.size);
      meter.report('fallback');
      return;
    }
    await sendParts(inputs, dock, opened);
  } finally {
    await pushes.return?.();
    dock.destroy();
  }
}

/** The upload to continue (with its parts, each verified against the source) or a new one. */
async function openUpload(inputs: SessionInputs, dock: Dock) {
  const { ticket, state, source } = inputs;
  // Ours first (the one this client wrote through), then the newest LFS sees on the key.
  for (const uploadId of new Set([state?.uploadId, ticket.uploadId].filter((id): id is string => !!id))) {
    const listing = await dock.listParts(uploadId);
    if (!listing) continue;
    const partSize = state?.uploadId === uploadId ? state.partSize : inferPartSize(source.size, listing.parts, inputs.partSize ?? ticket.target.partSize);
    const plan = planParts(source.size, partSize);
    checkFits(plan, listing.parts);
    const verified = await verifyParts(inputs, plan, listing.parts, listing.algorithm);
    return { uploadId, plan, algorithm: listing.algorithm, done: verified };
  }
  const plan = planParts(source.size, inputs.partSize ?? ticket.target.partSize);
  const uploadId = await dock.create(inputs.checksum, ticket.file.contentType);
  return { uploadId, plan, algorithm: inputs.checksum, done: new Map<number, DockPart>() };
}

/**
 * Reads each part already in the dock once and compares its checksum: a
 * source with other bytes is refused before a single part is sent. A part
 * without a checksum to compare is sent again rather than trusted.
 */
async function verifyParts(inputs: SessionInputs, plan: PartPlan, parts: DockPart[], algorithm: ChecksumAlgorithm | null): Promise<Map<number, DockPart>> {
  const verified = new Map<number, DockPart>();
  for (const part of parts) {
    if (!algorithm || !part.checksum) continue;
    const { start, end } = rangeOf(plan, part.PartNumber);
    const own = toBase64(await digest(hasherFor(algorithm, inputs.sha256), await inputs.source.read(start, end)));
    if (own !== part.checksum) {
      throw new LfsError('SOURCE_MISMATCH', `part ${part.PartNumber} in the dock differs from the same bytes of the source: it is not the file this upload was started with; nothing was sent`, {
        fileId: inputs.ticket.file.id,
      });
    }
    verified.set(part.PartNumber, part);
  }
  return verified;
}

async function digest(hasher: Hasher, bytes: Uint8Array): Promise<Uint8Array> {
  hasher.update(bytes);
  return hasher.digest();
}

/**
 * Reads the parts in order (so a whole-file SHA-256 sees the bytes in order)
 * and keeps up to `concurrency` of them on their way. A failed part stops
 * the reading; the parts already on their way are left to finish, so a
 * resume has less to send.
 */
async function sendParts(inputs: SessionInputs, dock: Dock, opened: { uploadId: string; plan: PartPlan; algorithm: ChecksumAlgorithm | null; done: Map<number, DockPart> }) {
  const { source, signal, ticket } = inputs;
  const fileId = ticket.file.id;
  const { uploadId, plan, algorithm, done } = opened;
  await inputs.store.set({
    fileId,
    uploadId,
    partSize: plan.partSize,
    checksum: algorithm,
    size: source.size,
    name: inputs.state?.name ?? ticket.file.name,
    lastModified: source.lastModified ?? inputs.state?.lastModified,
    updatedAt: Date.now(),
  });
  const meter = createProgressMeter(fileId, source.size, [...done.values()].reduce((sum, part) => sum + part.Size, 0), inputs.onProgress);
  meter.report('upload');
  const whole = algorithm && !combines(algorithm) ? hasherFor(algorithm, inputs.sha256) : undefined;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for (let n = 1; n <= plan.count && failure === undefined && !signal.aborted; n++) {
    const { start, end } = rangeOf(plan, n);
    if (done.has(n)) {
      if (whole) whole.update(await source.read(start, end));
      continue;
    }
    const body = await source.read(start, end);
    whole?.update(body);
    const checksum = algorithm ? toBase64(await digest(hasherFor(algorithm, inputs.sha256), body)) : undefined;
    while (inFlight.size >= inputs.concurrency) await Promise.race(inFlight);
    if (failure !== undefined) break;
    const sending: Promise<void> = dock.uploadPart(uploadId, n, body, algorithm, checksum).then(
      (part) => {
        done.set(n, part);
        meter.add(part.Size);
        meter.report('upload');
      },
      (error: unknown) => void (failure ??= error),
    );
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  if (signal.aborted) throw aborted(signal, fileId);

  const parts = [...done.values()].sort((a, b) => a.PartNumber - b.PartNumber);
  let fullObject: string | undefined;
  if (algorithm && combines(algorithm)) fullObject = toBase64(combineParts(algorithm, parts.map((part) => ({ crc: fromBase64(part.checksum!), size: part.Size }))));
  else if (whole) fullObject = toBase64(await whole.digest());
  if (inputs.declare && algorithm && fullObject) await declare(inputs, { algorithm, value: fullObject });
  await dock.complete(uploadId, parts, algorithm, fullObject, source.size);
}

/** Declared before the upload completes, so the promotion (which starts then) verifies it. */
async function declare(inputs: SessionInputs, checksum: { algorithm: ChecksumAlgorithm; value: string }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await inputs.transport.execute(DECLARE_CHECKSUM, { fileId: inputs.ticket.file.id, checksum }, inputs.signal);
      return;
    } catch (error) {
      // Another checksum is declared already: the promotion judges the bytes against that one.
      if (isLfsError(error, 'CONFLICT')) return;
      if (!isLfsError(error, 'NETWORK', 'RATE_LIMITED', 'INTERNAL') || attempt >= 5) throw error;
      await sleep(backoffMs(attempt), inputs.signal);
    }
  }
}

import { checksumAlgorithms, type ChecksumAlgorithm, type Sha256Factory } from './checksums.js';
import { LfsError, isLfsError, withFileId } from './errors.js';
import { CANCEL_UPLOAD, CREATE_DOWNLOAD_LINK, FILE, FILE_EVENTS, FILES, REQUEST_UPLOAD, RESUME_UPLOAD } from './operations.js';
import { MIN_PART_SIZE } from './parts.js';
import { createProgressMeter } from './progress.js';
import { aborted, backoffMs, sleep } from './retry.js';
import { sendToDock, type Ticket } from './session.js';
import { openSource, type PathOpener, type Source, type UploadSource } from './source.js';
import type { ResumeState, ResumeStore } from './store.js';
import { createTransport, type TokenSource } from './transport.js';
import { isFinal, type FilesPage, type ListOptions, type LfsFile, type LfsFileEvent, type UploadOptions } from './types.js';

export interface LfsClientOptions {
  /** The GraphQL endpoint, e.g. https://lfs.example.com/graphql; graphql-ws and the fallback route are beside it. */
  url: string;
  /** The bearer token, or a function returning one, called whenever one is needed (so it can renew it). */
  token: TokenSource;
  /** Where resume state is kept. @default localStorage in browsers, a state file in Node */
  store?: ResumeStore;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** A WebSocket constructor. @default the global one; the `ws` package on Node without one */
  webSocketImpl?: unknown;
}

export interface LfsClient {
  /** Uploads `source` as a new file; resolves with the File once it is AVAILABLE. */
  upload(source: UploadSource, options?: UploadOptions): Promise<LfsFile>;
  /** Continues an upload (after a reload, a crash, on another machine): sends only the parts not yet in the dock. */
  resume(fileId: string, source: UploadSource, options?: UploadOptions): Promise<LfsFile>;
  /** Stops an upload of this client, then cancels the file: nothing of it is left in the dock. */
  cancel(fileId: string): Promise<LfsFile>;
  /**
   * The file's events, its current state first when it is final; ends after a final state.
   * Without a file: every event of the caller's files, until `signal` stops it (events
   * while the connection is being replaced are missed: `files()` tells the states).
   */
  events(fileId: string | undefined, signal?: AbortSignal): AsyncIterable<LfsFileEvent>;
  /** The file, or null when absent or not the caller's. */
  file(fileId: string): Promise<LfsFile | null>;
  /** One page of the caller's files, newest first. */
  files(options?: ListOptions): Promise<FilesPage>;
  /** A link to download an AVAILABLE file. @param expiresIn seconds, default 900 */
  downloadLink(fileId: string, expiresIn?: number): Promise<{ url: string; expiresAt: string }>;
  /** Uploads this client's store knows as unfinished (to offer resuming them). */
  pending(): Promise<ResumeState[]>;
  /** Closes the WebSocket. */
  close(): Promise<void>;
}

/** What differs between browsers and Node. */
export interface Platform {
  openPath?: PathOpener;
  defaultStore(): ResumeStore;
  webSocketImpl?: unknown;
  sha256: Sha256Factory;
}

type ChecksumChoice = { algorithm: ChecksumAlgorithm | null; declared: { algorithm: ChecksumAlgorithm; value: string } | null };

function checksumChoice(option: UploadOptions['checksum']): ChecksumChoice {
  if (option === false) return { algorithm: null, declared: null };
  const algorithm = typeof option === 'object' ? option.algorithm : (option ?? 'CRC64NVME');
  if (!checksumAlgorithms.includes(algorithm)) throw new LfsError('BAD_USER_INPUT', `checksum: one of ${checksumAlgorithms.join(', ')}, or false`);
  return { algorithm, declared: typeof option === 'object' ? option : null };
}

const failureOf = (file: LfsFile): LfsError =>
  new LfsError(file.status === 'FAILED' ? 'FAILED' : file.status === 'CANCELLED' ? 'CANCELLED' : 'EXPIRED', `the file is ${file.status}${file.failureReason ? `: ${file.failureReason}` : ''}`, {
    fileId: file.id,
    failureReason: file.failureReason ?? undefined,
  });

export function createClientWith(platform: Platform, options: LfsClientOptions): LfsClient {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const transport = createTransport({ url: options.url, token: options.token, fetch: fetchImpl, webSocketImpl: options.webSocketImpl ?? platform.webSocketImpl });
  const store = options.store ?? platform.defaultStore();
  /** Uploads running in this client, so cancel can stop one before cancelling its file. */
  const running = new Map<string, { controller: AbortController; settled: Promise<unknown> }>();

  const fileOf = async (fileId: string) => (await transport.execute(FILE, { id: fileId })).file;

  async function* events(fileId: string | undefined, signal?: AbortSignal): AsyncGenerator<LfsFileEvent> {
    if (fileId !== undefined && (await fileOf(fileId)) === null) throw new LfsError('NOT_FOUND', 'File not found', { fileId });
    for (let attempt = 1; ; attempt++) {
      const subscription = transport.subscribe(FILE_EVENTS, { fileId });
      // Stopping ends the wait for the next event at once.
      const stop = () => void subscription.return?.();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        for await (const { fileEvents } of subscription) {
          attempt = 1;
          yield fileEvents;
          if (fileId !== undefined && isFinal(fileEvents.file.status)) return;
        }
      } catch (error) {
        if (isLfsError(error, 'UNAUTHENTICATED', 'NOT_FOUND', 'BAD_USER_INPUT')) throw fileId === undefined ? error : withFileId(error, fileId);
      } finally {
        signal?.removeEventListener('abort', stop);
        await subscription.return?.();
      }
      if (signal?.aborted) throw aborted(signal, fileId);
      if (fileId !== undefined) {
        // The socket is gone (or WebSockets are blocked): look over HTTP, then subscribe again a little later.
        const file = await fileOf(fileId).catch((error: unknown) => (isLfsError(error, 'NETWORK') ? undefined : Promise.reject(error)));
        if (file === null) throw new LfsError('NOT_FOUND', 'File not found', { fileId });
        if (file && isFinal(file.status)) {
          yield { type: file.status === 'AVAILABLE' || file.status === 'FAILED' ? file.status : 'STATUS_CHANGED', at: file.availableAt ?? file.createdAt, file };
          return;
        }
      }
      await sleep(backoffMs(attempt), signal);
    }
  }

  /** Follows the file to its final state: the File when AVAILABLE, an LfsError otherwise. */
  async function settle(fileId: string, upload: UploadOptions, signal: AbortSignal): Promise<LfsFile> {
    for await (const event of events(fileId, signal)) {
      const { file } = event;
      if (file.status === 'AVAILABLE') return file;
      if (isFinal(file.status)) throw failureOf(file);
      if (file.status === 'PROMOTING') createProgressMeter(fileId, file.size, file.size, upload.onProgress).promotion(file.promotionProgress ?? 0);
    }
    throw aborted(signal, fileId);
  }

  /**
   * Runs `send` (the dock part, skipped when the upload was completed already) and waits for the file;
   * the resume state lives until the file is final.
   */
  async function run(fileId: string, send: ((signal: AbortSignal) => Promise<void>) | null, upload: UploadOptions): Promise<LfsFile> {
    const controller = new AbortController();
    const stop = () => controller.abort();
    upload.signal?.addEventListener('abort', stop, { once: true });
    if (upload.signal?.aborted) stop();
    const work = (async () => {
      if (send) {
        await send(controller.signal);
        const kept = await store.get(fileId);
        if (kept) await store.set({ ...kept, completed: true, updatedAt: Date.now() });
      }
      const file = await settle(fileId, upload, controller.signal);
      await store.delete(fileId);
      return file;
    })();
    running.set(fileId, { controller, settled: work.catch(() => {}) });
    try {
      return await work;
    } catch (error) {
      // A final state other than AVAILABLE cannot be resumed: forget it. Anything else can, and is kept.
      if (isLfsError(error, 'FAILED', 'CANCELLED', 'EXPIRED')) await store.delete(fileId);
      throw withFileId(error, fileId);
    } finally {
      running.delete(fileId);
      upload.signal?.removeEventListener('abort', stop);
    }
  }

  /** The dock part of an upload, for run(). */
  function sender(ticket: Ticket, source: Source, state: ResumeState | undefined, upload: UploadOptions, algorithm: ChecksumAlgorithm | null, declare: boolean) {
    return (signal: AbortSignal) =>
      sendToDock({
        transport,
        url: options.url,
        fetch: fetchImpl,
        store,
        sha256: platform.sha256,
        source,
        ticket,
        state,
        checksum: algorithm,
        declare,
        partSize: upload.partSize,
        concurrency: Math.max(1, upload.concurrency ?? 4),
        signal,
        onProgress: upload.onProgress,
      });
  }

  function checkPartSize(upload: UploadOptions, size: number) {
    if (upload.partSize !== undefined && (upload.partSize < MIN_PART_SIZE || !Number.isSafeInteger(upload.partSize)) && size > upload.partSize) {
      throw new LfsError('BAD_USER_INPUT', `partSize: at least ${MIN_PART_SIZE} bytes (S3's smallest part but the last)`);
    }
  }

  return {
    async upload(input, upload = {}) {
      const source = await openSource(input, platform.openPath);
      const name = upload.name ?? source.name;
      if (!name) throw new LfsError('BAD_USER_INPUT', 'name: required when the source has no name of its own (a Blob or bytes)');
      checkPartSize(upload, source.size);
      const choice = checksumChoice(upload.checksum);
      const { requestUpload: ticket } = await transport.execute(
        REQUEST_UPLOAD,
        { input: { name, size: source.size, contentType: upload.contentType ?? source.type ?? 'application/octet-stream', metadata: upload.metadata, checksum: choice.declared } },
        upload.signal,
      );
      upload.onTicket?.(ticket.file.id);
      return run(ticket.file.id, sender(ticket, source, undefined, upload, choice.algorithm, choice.declared === null), upload);
    },

    async resume(fileId, input, upload = {}) {
      const state = await store.get(fileId);
      // Completed before (a reload during the promotion): only its end is awaited, the source is not read.
      if (state?.completed) return run(fileId, null, upload);
      const source = await openSource(input, platform.openPath);
      checkPartSize(upload, source.size);
      const choice = checksumChoice(upload.checksum);
      let ticket: Ticket;
      try {
        ticket = (await transport.execute(RESUME_UPLOAD, { fileId }, upload.signal)).resumeUpload;
      } catch (error) {
        if (!isLfsError(error, 'CONFLICT')) throw withFileId(error, fileId);
        // Uploaded already (a reload during the promotion): only its end is awaited.
        const file = await fileOf(fileId);
        if (!file || (isFinal(file.status) && file.status !== 'AVAILABLE')) {
          await store.delete(fileId);
          throw file ? failureOf(file) : withFileId(error, fileId);
        }
        if (file.status === 'AVAILABLE') return file;
        return run(fileId, null, upload);
      }
      if (source.size !== ticket.file.size) {
        throw new LfsError('SOURCE_MISMATCH', `the source is ${source.size} bytes, the file was declared with ${ticket.file.size}: not the file this upload was started with; nothing was sent`, { fileId });
      }
      upload.onTicket?.(fileId);
      // A checksum declared by the caller or an earlier run stays; declaring the same one again is harmless.
      return run(fileId, sender(ticket, source, state, upload, choice.algorithm, choice.algorithm !== null), upload);
    },

    async cancel(fileId) {
      const current = running.get(fileId);
      if (current) {
        current.controller.abort(new LfsError('CANCELLED', 'the upload was cancelled', { fileId }));
        await current.settled;
      }
      const { cancelUpload: file } = await transport.execute(CANCEL_UPLOAD, { fileId });
      await store.delete(fileId);
      return file;
    },

    events,
    file: fileOf,

    async files({ first, after, status } = {}) {
      const { files } = await transport.execute(FILES, { first, after, status });
      return { files: files.edges.map((edge) => edge.node), next: files.pageInfo.hasNextPage ? (files.pageInfo.endCursor ?? null) : null };
    },

    async downloadLink(fileId, expiresIn) {
      return (await transport.execute(CREATE_DOWNLOAD_LINK, { fileId, expiresIn })).createDownloadLink;
    },

    async pending() {
      return store.list();
    },

    close: () => transport.close(),
  };
}

import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { PRIVATE_FILE_MODE } from '@lfs/private-files';

/** O_DIRECT wants the buffer address, file offset and length aligned to the device's logical block (512 B or 4 KiB). */
const ALIGN = 4096;
/** Bytes gathered before one direct write: 16 wasm pages. */
const STAGE_PAGES = 16;
const STAGE_SIZE = STAGE_PAGES * 64 * 1024;
/** writev takes at most IOV_MAX (1024) buffers. */
const MAX_PIECES = 512;
/** Idle staging buffers a thread keeps for its next files. */
const SPARE_STAGES = 8;

let directUnsupported = constants.O_DIRECT === undefined;
const spareStages: Buffer[] = [];

/**
 * A page-aligned buffer: WebAssembly memory is allocated in whole pages,
 * the one allocation JavaScript can rely on for the alignment O_DIRECT needs.
 */
function takeStage(): Buffer {
  return spareStages.pop() ?? Buffer.from(new WebAssembly.Memory({ initial: STAGE_PAGES, maximum: STAGE_PAGES }).buffer);
}

function giveStage(stage: Buffer): void {
  if (spareStages.length < SPARE_STAGES) spareStages.push(stage);
}

/**
 * A new file written front to back, bypassing the page cache (O_DIRECT)
 * where the file system allows it, as object stores such as MinIO do: a
 * blob is written once and read rarely, so copying it into the page cache
 * only costs CPU (a kernel copy, and page faults on memory never touched
 * before) and evicts what is worth caching. Bytes are gathered into an
 * aligned staging buffer and written a MiB at a time; the last block is
 * padded, then the file is truncated to its true length. Where O_DIRECT is
 * refused (tmpfs, some network file systems), or not wanted (`direct`
 * false: bytes that will be read again soon), writes are ordinary ones.
 * Calls must not overlap: each one waits for the previous.
 */
export class AppendFile {
  private stage: Buffer | undefined;
  private filled = 0;
  private position = 0;
  private length = 0;

  private constructor(
    private handle: FileHandle,
    private direct: boolean,
    private readonly path: string,
  ) {
    if (direct) this.stage = takeStage();
  }

  /** Creates `path`; fails if it exists. */
  static async create(path: string, direct = true): Promise<AppendFile> {
    if (direct && !directUnsupported) {
      try {
        return new AppendFile(await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT!, PRIVATE_FILE_MODE), true, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
        directUnsupported = true;
      }
    }
    return new AppendFile(await open(path, 'wx', PRIVATE_FILE_MODE), false, path);
  }

  async append(buffers: Buffer[]): Promise<void> {
    for (const buffer of buffers) this.length += buffer.length;
    if (!this.direct) {
      for (let i = 0; i < buffers.length; i += MAX_PIECES) await this.writeBuffered(buffers.slice(i, i + MAX_PIECES));
      return;
    }
    for (const buffer of buffers) {
      for (let offset = 0; offset < buffer.length; ) {
        const copied = buffer.copy(this.stage!, this.filled, offset);
        this.filled += copied;
        offset += copied;
        if (this.filled === STAGE_SIZE) await this.flushStage(STAGE_SIZE);
      }
    }
  }

  /** Writes what is left, sets the exact length and fdatasyncs. */
  async finish(): Promise<void> {
    if (this.direct && this.filled > 0) {
      const padded = Math.ceil(this.filled / ALIGN) * ALIGN;
      this.stage!.fill(0, this.filled, padded);
      await this.flushStage(padded);
      await this.handle.truncate(this.length);
    }
    await this.handle.datasync();
    await this.close();
  }

  async close(): Promise<void> {
    if (this.stage) giveStage(this.stage);
    this.stage = undefined;
    await this.handle.close();
  }

  private async flushStage(bytes: number): Promise<void> {
    try {
      await this.writeFully(this.stage!.subarray(0, bytes));
    } catch (error) {
      // A file system that opens O_DIRECT but refuses the write itself: carry on with ordinary writes.
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL' || this.position > 0) throw error;
      directUnsupported = true;
      await this.handle.close();
      this.handle = await open(this.path, 'r+');
      this.direct = false;
      const pending = Buffer.from(this.stage!.subarray(0, this.filled));
      giveStage(this.stage!);
      this.stage = undefined;
      this.filled = 0;
      await this.writeBuffered([pending]);
      return;
    }
    this.filled = 0;
  }

  private async writeFully(bytes: Buffer): Promise<void> {
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset, this.position);
      offset += bytesWritten;
      this.position += bytesWritten;
    }
  }

  private async writeBuffered(buffers: Buffer[]): Promise<void> {
    let bytes = 0;
    for (const buffer of buffers) bytes += buffer.length;
    const { bytesWritten } = await this.handle.writev(buffers, this.position);
    this.position += bytesWritten;
    // A short write (allowed, rare for files): the rest one piece at a time.
    if (bytesWritten < bytes) await this.writeFully(Buffer.concat(buffers).subarray(bytesWritten));
  }
}

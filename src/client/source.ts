import { LfsError } from './errors.js';

/** What `upload` and `resume` take: a Blob or File, bytes, or (in Node) a file path. */
export type UploadSource = Blob | Uint8Array | string;

/** A source read part by part, never whole. */
export interface Source {
  size: number;
  /** The file's own name and type, when it has them (a File, a path). */
  name: string | undefined;
  type: string | undefined;
  lastModified: number | undefined;
  /** Bytes [start, end). */
  read(start: number, end: number): Promise<Uint8Array>;
  /** The whole body for one streaming request (the fallback PUT): a Blob streams from disk, bytes are sent as they are. */
  body(): Blob | Uint8Array;
}

/** Opens a file path as a Blob backed by the file (Node only). */
export type PathOpener = (path: string) => Promise<{ blob: Blob; name: string }>;

export async function openSource(input: UploadSource, openPath: PathOpener | undefined): Promise<Source> {
  if (typeof input === 'string') {
    if (!openPath) throw new LfsError('BAD_USER_INPUT', 'file paths can only be uploaded from Node; pass a File or Blob');
    const { blob, name } = await openPath(input);
    return fromBlob(blob, name);
  }
  if (input instanceof Uint8Array) {
    return {
      size: input.byteLength,
      name: undefined,
      type: undefined,
      lastModified: undefined,
      read: async (start, end) => input.subarray(start, end),
      body: () => input,
    };
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    const file = input as Blob & { name?: string; lastModified?: number };
    return fromBlob(file, file.name, file.lastModified);
  }
  throw new LfsError('BAD_USER_INPUT', 'the source must be a Blob, a File, a Uint8Array or a file path');
}

function fromBlob(blob: Blob, name: string | undefined, lastModified?: number): Source {
  return {
    size: blob.size,
    name: name || undefined,
    type: blob.type || undefined,
    lastModified,
    read: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
    body: () => blob,
  };
}

/**
 * The upload page's script (bundled for the browser by ../page.ts): every
 * file goes through `large-file-service/client`, as a front end's would. It
 * shows each upload's progress, pauses, resumes (also after a reload:
 * choosing the same file again continues it) and cancels, and turns each
 * file into a download link when it is AVAILABLE.
 */
import { createLfsClient, type LfsClient, type LfsError, type ResumeState, type UploadProgress } from '../../client/index.js';
import { addRow, type Row } from './rows.js';

const tokenInput = document.querySelector<HTMLInputElement>('#token')!;
const fileInput = document.querySelector<HTMLInputElement>('#file')!;
const drop = document.querySelector<HTMLElement>('#drop')!;
const list = document.querySelector<HTMLOListElement>('#uploads')!;
const announcer = document.querySelector<HTMLElement>('#announcer')!;

// The bearer token lives as long as the tab: sessionStorage is neither shared with other tabs nor kept
// after the browser closes, as localStorage would be. A token an older page left there is removed.
localStorage.removeItem('lfs.token');
tokenInput.value = sessionStorage.getItem('lfs.token') ?? '';
tokenInput.addEventListener('change', () => sessionStorage.setItem('lfs.token', tokenInput.value.trim()));

// Resume state goes to localStorage (the client's default): ids and sizes, never the token.
const lfs: LfsClient = createLfsClient({ url: new URL('/graphql', location.href).href, token: () => tokenInput.value.trim() });

/** One upload on the page. */
interface Entry {
  name: string;
  size?: number;
  row: Row;
  fileId?: string;
  file?: File;
  controller?: AbortController;
}
const entries: Entry[] = [];

function announce(text: string): void {
  // Emptied first, so the same words twice are announced twice.
  announcer.textContent = '';
  requestAnimationFrame(() => (announcer.textContent = text));
}

function entryFor(name: string, fileId?: string): Entry {
  const entry: Entry = { name, fileId, row: addRow(list, name) };
  entries.push(entry);
  return entry;
}

/** Uploads (or resumes) the entry's file, and shows what happens until the file is final or paused. */
async function send(entry: Entry, file: File): Promise<void> {
  entry.file = file;
  entry.size ??= file.size;
  const controller = (entry.controller = new AbortController());
  const { row } = entry;
  row.status(entry.fileId ? 'resuming' : 'requesting a ticket');
  row.actions([
    { label: 'Pause', run: () => controller.abort() },
    { label: 'Cancel', run: () => void cancel(entry) },
  ]);
  let viaLfs = false;
  const options = {
    signal: controller.signal,
    onTicket: (fileId: string) => (entry.fileId = fileId),
    onProgress: (progress: UploadProgress) => {
      viaLfs ||= progress.phase === 'fallback';
      row.status(progress.phase === 'upload' ? 'uploading' : progress.phase === 'fallback' ? 'uploading through LFS (the storage cannot be reached)' : 'promoting');
      row.progress(progress);
    },
  };
  try {
    const done = entry.fileId ? await lfs.resume(entry.fileId, file, options) : await lfs.upload(file, options);
    row.final('done', 'AVAILABLE');
    announce(`${entry.name} is available`);
    const link = await lfs.downloadLink(done.id).catch(() => undefined);
    if (link) row.link(link.url, entry.name, viaLfs ? 'uploaded through LFS: the storage could not be reached from this page' : undefined);
  } catch (error) {
    const failure = error as LfsError;
    if (failure.code === 'ABORTED' && entry.controller === controller) return paused(entry);
    const text = failure.code === 'FAILED' ? `FAILED: ${failure.failureReason}` : failure.code === 'CANCELLED' || failure.code === 'EXPIRED' ? failure.code : `error: ${failure.message}`;
    row.final('failed', text);
    announce(`${entry.name}: ${text}`);
  } finally {
    if (entry.controller === controller) entry.controller = undefined;
  }
}

function paused(entry: Entry, detail?: string): void {
  if (entry.row.item.dataset.state) return;
  entry.row.status('paused');
  if (detail) entry.row.detail(detail);
  announce(`${entry.name} paused`);
  entry.row.actions([
    {
      label: entry.file ? 'Resume' : 'Resume…',
      run: async () => {
        const file = entry.file ?? (await entry.row.chooseFile());
        if (file) void send(entry, file);
      },
    },
    { label: 'Cancel', run: () => void cancel(entry) },
  ]);
}

async function cancel(entry: Entry): Promise<void> {
  if (!entry.fileId) {
    // No file yet (the ticket is on its way): stopping the request is all there is to cancel.
    entry.row.final('failed', 'CANCELLED');
    entry.controller?.abort();
    return;
  }
  try {
    // The client stops its running upload of the file first.
    await lfs.cancel(entry.fileId);
    entry.row.final('failed', 'CANCELLED');
    announce(`${entry.name} cancelled`);
  } catch (error) {
    entry.row.final('failed', `error: ${(error as Error).message}`);
  }
}

/** A chosen file continues a paused upload of the same name and size, or starts a new one. */
function choose(files: Iterable<File>): void {
  for (const file of files) {
    const paused = entries.find((entry) => !entry.controller && !entry.row.item.dataset.state && entry.fileId && entry.name === file.name && entry.size === file.size);
    void send(paused ?? entryFor(file.name), file);
  }
}

fileInput.addEventListener('change', () => {
  choose(Array.from(fileInput.files ?? []));
  fileInput.value = '';
});
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  choose(Array.from(event.dataTransfer?.files ?? []));
});

/** After a reload: the uploads the store still knows. Unfinished ones wait for their file; uploaded ones are followed. */
async function restore(states: ResumeState[]): Promise<void> {
  for (const state of states.sort((a, b) => a.updatedAt - b.updatedAt)) {
    const entry = entryFor(state.name, state.fileId);
    entry.size = state.size;
    const file = await lfs.file(state.fileId).catch(() => undefined);
    // Uploaded already (the page was reloaded during the promotion): only its end is awaited, no file is needed.
    if (state.completed || (file && file.status !== 'AWAITING_UPLOAD')) void send(entry, new File([], state.name));
    else paused(entry, `Choose ${state.name} again to resume it.`);
  }
}
void lfs.pending().then(restore);

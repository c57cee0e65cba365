/**
 * The upload page's script (bundled for the browser by ../page.ts): a file
 * goes to the loading dock exactly as a front end's would, with only what
 * the ticket hands out, then the page follows the file until it is ready.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { FileEventsSubscription, TypedDocumentString } from './gql/graphql.js';
import { graphql } from './gql/index.js';

// Typed by `npm run codegen` from schema.graphql: a change to the schema that breaks one of these fails the typecheck.
const REQUEST_UPLOAD = graphql(`
  mutation RequestUpload($input: RequestUploadInput!) {
    requestUpload(input: $input) {
      file { id }
      target { endpoint region bucket key forcePathStyle kmsKeyId partSize }
      credentials { accessKeyId secretAccessKey sessionToken expiration }
    }
  }
`);
const REFRESH_CREDENTIALS = graphql(`
  mutation RefreshCredentials($fileId: ID!) {
    refreshUploadCredentials(fileId: $fileId) { accessKeyId secretAccessKey sessionToken expiration }
  }
`);
const FILE_EVENTS = graphql(`
  subscription FileEvents($fileId: ID) {
    fileEvents(fileId: $fileId) { type file { id status failureReason } }
  }
`);

const tokenInput = document.querySelector<HTMLInputElement>('#token')!;
const fileInput = document.querySelector<HTMLInputElement>('#file')!;
const list = document.querySelector<HTMLOListElement>('#uploads')!;

// The bearer token lives as long as the tab: sessionStorage is neither shared with other tabs nor kept
// after the browser closes, as localStorage would be. A token an older page left there is removed.
localStorage.removeItem('lfs.token');
tokenInput.value = sessionStorage.getItem('lfs.token') ?? '';
tokenInput.addEventListener('change', () => sessionStorage.setItem('lfs.token', tokenInput.value.trim()));

async function execute<Result, Variables>(document: TypedDocumentString<Result, Variables>, variables: Variables): Promise<Result> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenInput.value.trim()}` },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) {
    throw Object.assign(new Error(body.errors?.map((e) => e.message).join('; ') || `HTTP ${response.status}`), { code: body.errors?.[0]?.extensions?.code });
  }
  return body.data;
}

/** One row of the list: the file's name and what is happening to it, until it reaches a final state. */
function row(name: string): (status: string, state?: 'done' | 'failed') => void {
  const item = document.createElement('li');
  const label = document.createElement('span');
  label.textContent = name;
  const status = document.createElement('output');
  item.append(label, ' ', status);
  list.prepend(item);
  return (text, state) => {
    // The final state may arrive (over SSE) before the upload's own last callbacks: it is never overwritten.
    if (item.dataset.state) return;
    status.textContent = text;
    if (state) item.dataset.state = state;
  };
}

/** Waits for the file's final state over SSE (graphql-yoga answers `Accept: text/event-stream`). */
async function followUntilFinal(fileId: string, show: (status: string, state?: 'done' | 'failed') => void): Promise<void> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${tokenInput.value.trim()}` },
    body: JSON.stringify({ query: FILE_EVENTS.toString(), variables: { fileId } }),
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      if (!data) continue;
      const file = (JSON.parse(data) as { data?: FileEventsSubscription }).data?.fileEvents.file;
      if (!file) continue;
      if (file.status === 'AVAILABLE') {
        show('AVAILABLE', 'done');
        await reader.cancel();
        return;
      }
      if (file.status === 'FAILED' || file.status === 'CANCELLED' || file.status === 'EXPIRED') {
        show(`${file.status}${file.failureReason ? `: ${file.failureReason}` : ''}`, 'failed');
        await reader.cancel();
        return;
      }
      show(file.status);
    }
  }
}

async function send(file: File): Promise<void> {
  const show = row(file.name);
  try {
    show('requesting a ticket');
    const { requestUpload: ticket } = await execute(REQUEST_UPLOAD, {
      input: { name: file.name, size: file.size, contentType: file.type || 'application/octet-stream' },
    });
    // Subscribed before the upload ends, so the moment the file is ready is not missed.
    const final = followUntilFinal(ticket.file.id, show);
    let credentials = ticket.credentials;
    let lastCredentials = false;
    const s3 = new S3Client({
      endpoint: ticket.target.endpoint ?? undefined,
      region: ticket.target.region,
      forcePathStyle: ticket.target.forcePathStyle,
      // The SDK asks again shortly before `expiration`: a long upload gets fresh credentials from LFS.
      credentials: async () => {
        if (!lastCredentials && Date.parse(credentials.expiration) - Date.now() < 5 * 60_000) {
          try {
            credentials = (await execute(REFRESH_CREDENTIALS, { fileId: ticket.file.id })).refreshUploadCredentials;
          } catch (error) {
            if (Date.parse(credentials.expiration) <= Date.now()) throw error;
            // CONFLICT: the ticket's deadline is near, and the current credentials already run up to it.
            lastCredentials = (error as { code?: string }).code === 'CONFLICT';
          }
        }
        return { ...credentials, expiration: new Date(credentials.expiration) };
      },
    });
    const upload = new Upload({
      client: s3,
      partSize: ticket.target.partSize,
      queueSize: 4,
      leavePartsOnError: false,
      params: { Bucket: ticket.target.bucket, Key: ticket.target.key, Body: file, ContentType: file.type || undefined, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ticket.target.kmsKeyId },
    });
    upload.on('httpUploadProgress', ({ loaded }) => show(`uploading ${Math.floor(((loaded ?? 0) / Math.max(1, file.size)) * 100)}%`));
    await upload.done();
    show('uploaded; waiting for it to be available');
    await final;
  } catch (error) {
    show(`error: ${(error as Error).message}`, 'failed');
  }
}

fileInput.addEventListener('change', () => {
  for (const file of Array.from(fileInput.files ?? [])) void send(file);
  fileInput.value = '';
});

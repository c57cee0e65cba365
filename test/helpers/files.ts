import type { Client } from 'graphql-ws';
import { FILE, FILE_EVENTS, REQUEST_UPLOAD, type Ticket } from './operations.js';
import { WAIT_TIMEOUT_MS } from './waits.js';
import { within, type Stack } from './stack.js';

export interface FileState {
  id: string;
  status: string;
  failureReason: string | null;
  [field: string]: unknown;
}

export async function requestUpload(stack: Stack, token: string, input: Record<string, unknown>): Promise<Ticket> {
  const response = await stack.graphql<{ requestUpload: Ticket }>(token, REQUEST_UPLOAD, { input });
  if (!response.data) throw new Error(`requestUpload failed: ${JSON.stringify(response.errors)}`);
  return response.data.requestUpload;
}

/**
 * Resolves with the file once its status is one of `statuses`: subscribes to
 * its events first, then looks, so a transition in between is not missed.
 */
export async function awaitStatus(
  stack: Stack,
  token: string,
  fileId: string,
  statuses: string[],
  timeoutMs = WAIT_TIMEOUT_MS,
  client: Client = stack.ws(token),
): Promise<FileState> {
  let cancel = () => {};
  const arrived = new Promise<FileState>((resolve, reject) => {
    cancel = client.subscribe<{ fileEvents: { file: FileState } }>(
      { query: FILE_EVENTS, variables: { fileId } },
      {
        next: ({ data }) => {
          if (data && statuses.includes(data.fileEvents.file.status)) resolve(data.fileEvents.file);
        },
        error: reject,
        complete: () => {},
      },
    );
  });
  // graphql-ws does not acknowledge a subscription, so a transition could slip
  // between the look and the registration: keep looking now and then as well.
  let done = false;
  const looked = (async () => {
    for (let delay = 0; !done; delay = 250) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      const current = await stack.graphql<{ file: FileState }>(token, FILE, { id: fileId });
      if (current.data?.file && statuses.includes(current.data.file.status)) return current.data.file;
    }
    return new Promise<FileState>(() => {});
  })();
  try {
    return await within(Promise.race([arrived, looked]), timeoutMs, `file ${fileId} to become ${statuses.join('|')}`);
  } finally {
    done = true;
    cancel();
  }
}

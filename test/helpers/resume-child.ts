/**
 * Another process resuming an upload: `node --conditions=@lfs/source
 * --import tsx resume-child.ts <url> <token> <fileId> <path> <stateFile>`.
 * Prints one JSON line: `{ file }` or `{ error: { code, message } }`.
 */
import { createFileStore, createLfsClient, type LfsError } from 'large-file-service/client';

const [url, token, fileId, path, stateFile] = process.argv.slice(2);
const lfs = createLfsClient({ url, token, store: createFileStore(stateFile) });
try {
  const file = await lfs.resume(fileId, path);
  console.log(JSON.stringify({ file }));
} catch (error) {
  console.log(JSON.stringify({ error: { code: (error as LfsError).code, message: (error as Error).message } }));
} finally {
  await lfs.close();
}

import { buildUploadPage } from '../../scripts/build-upload-page.js';

/** Vitest global setup: LFS runs from source in tests, and serves the upload page's script bundled from it, never stale. */
export default async function setup(): Promise<void> {
  await buildUploadPage();
}

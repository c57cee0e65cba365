import type { BuildOptions } from 'esbuild';

/** How browser code is bundled: the page, and the client's size in the bench. */
export const browserBundle: BuildOptions & { write: false };
/** Bundles src/web/browser/upload.ts into dist/web/upload-page.js and copies upload.html beside it. */
export function buildUploadPage(): Promise<void>;

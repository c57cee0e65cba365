/** Bundles src/web/browser/upload.ts into dist/web/upload-page.js and copies upload.html beside it. */
export function buildUploadPage(): Promise<void>;

import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../../packages/local-aws/test/helpers/outside-tools.js';
import { CHROMIUM_ARGS, findChromium } from '../helpers/browser.js';
import { closedPort, writeSourceFile } from '../helpers/client.js';
import { sha256Of } from '../helpers/data.js';
import { startDockProxy, type DockProxy } from '../helpers/dock-proxy.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { tempDirs } from '../helpers/temp-dirs.js';
import { WAIT_TIMEOUT_MS } from '../helpers/waits.js';

const MiB = 1024 * 1024;
const executablePath = findChromium();
/** Without Chromium these suites skip, or fail in CI. */
const hasChromium = needs({ name: 'Chromium', path: executablePath, debianPackage: 'chromium', variable: 'LFS_TEST_CHROMIUM' });
/** Screenshots of the end states, kept for people to look at (git ignores the folder). */
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** What the page shows for each file: name, final state (done / failed) and status text. */
async function rows(page: Page) {
  return page.$$eval('#uploads li', (items) =>
    items.map((item) => ({ name: item.querySelector('span')!.textContent, state: (item as HTMLElement).dataset.state, status: item.querySelector('output')!.textContent })),
  );
}

async function openPage(browser: Browser, stack: Stack, sub = 'alice'): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${stack.app.url}/`);
  await page.fill('#token', await stack.token(sub));
  await page.dispatchEvent('#token', 'change');
  return { page, problems };
}

/** Writes each buffer to `dir/<name>`; returns the paths. */
async function filesIn(dir: string, files: Record<string, Buffer>): Promise<string[]> {
  return Promise.all(
    Object.entries(files).map(async ([name, buffer]) => {
      await writeFile(join(dir, name), buffer);
      return join(dir, name);
    }),
  );
}

/** Waits until `count` rows reached a final state; on a timeout, says what the rows show. */
async function finished(page: Page, count: number, timeout = WAIT_TIMEOUT_MS): Promise<void> {
  try {
    await page.waitForFunction((n) => document.querySelectorAll('#uploads li[data-state]').length === n, count, { timeout });
  } catch (error) {
    const shown = await page.$$eval('#uploads li', (items) => items.map((item) => item.textContent)).catch(() => []);
    throw new Error(`${(error as Error).message}\nthe page shows: ${JSON.stringify(shown)}`, { cause: error });
  }
}

describe.skipIf(!hasChromium)(`the upload page in Chromium (${executablePath})`, () => {
  let stack: Stack;
  let proxy: DockProxy;
  let browser: Browser;
  const tempDir = tempDirs('lfs-page-');
  beforeAll(async () => {
    // The page reaches the dock through a proxy that counts parts and sets the bandwidth.
    proxy = await startDockProxy();
    // Parts at the 5 MiB minimum, so a few MiB make a real multipart upload from the browser.
    stack = await startStack({ LFS_MIN_PART_SIZE: String(5 * MiB), LFS_AWS_PUBLIC_ENDPOINT: proxy.url });
    proxy.target = stack.app.localAws!.url;
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    await mkdir(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await proxy?.stop();
  });

  it('uploads files with the client, shows each AVAILABLE with a download link; the vault holds the bytes', async () => {
    proxy.rate = Infinity;
    const { page, problems } = await openPage(browser, stack);
    const files = { 'big.bin': randomBytes(12 * MiB), 'hello.txt': Buffer.from('hello, vault\n') };
    // Paths, not buffers: Playwright would send megabytes of base64 over CDP.
    await page.setInputFiles('#file', await filesIn(await tempDir(), files));
    await finished(page, 2);
    expect(problems).toEqual([]);
    expect((await rows(page)).sort((a, b) => a.name!.localeCompare(b.name!))).toEqual([
      { name: 'big.bin', state: 'done', status: 'AVAILABLE' },
      { name: 'hello.txt', state: 'done', status: 'AVAILABLE' },
    ]);
    await page.waitForFunction(() => document.querySelectorAll('#uploads a.download').length === 2);

    const listed = await stack.graphql(await stack.token('alice'), 'query { files(first: 10) { edges { node { id name status } } } }');
    const s3 = stack.rootS3();
    for (const { node } of listed.data.files.edges as { node: { id: string; name: keyof typeof files; status: string } }[]) {
      expect(node.status).toBe('AVAILABLE');
      const object = await s3.send(new GetObjectCommand({ Bucket: stack.app.config.storage.vaultBucket, Key: `files/${node.id}` }));
      expect(await sha256Of(object.Body as AsyncIterable<Uint8Array>)).toBe(createHash('sha256').update(files[node.name]).digest('hex'));
    }
  });

  it('reloaded half way through 50 MiB, resumes without sending a finished part again, and the link returns the same bytes', { timeout: 180_000 }, async () => {
    proxy.rate = 8 * MiB;
    const source = await writeSourceFile(await tempDir(), 'film.bin', 50 * MiB);
    const { page, problems } = await openPage(browser, stack);
    const start = proxy.parts.length;
    await page.setInputFiles('#file', source.path);
    // Half of its ten parts in the dock, then the page goes away.
    await expect.poll(() => proxy.parts.slice(start).filter((part) => part.status === 200).length, { timeout: WAIT_TIMEOUT_MS, interval: 50 }).toBeGreaterThanOrEqual(5);
    await page.reload();
    const afterReload = proxy.parts.length;
    await page.waitForFunction(() => document.querySelector('#uploads li output')?.textContent === 'paused');
    expect((await rows(page))[0]).toMatchObject({ name: 'film.bin', status: 'paused' });

    // Choosing the same file again continues it.
    await page.setInputFiles('#file', source.path);
    await finished(page, 1, 120_000);
    expect(await rows(page)).toEqual([{ name: 'film.bin', state: 'done', status: 'AVAILABLE' }]);
    expect(problems).toEqual([]);

    const ours = proxy.parts.slice(start);
    const answered = (n: number) => ours.filter((part) => part.partNumber === n && part.status === 200).length;
    // Every part reached the dock once: none that was in it before the reload was sent again.
    for (let n = 1; n <= 10; n++) expect(answered(n), `part ${n}`).toBeLessThanOrEqual(1);
    expect(proxy.parts.length - afterReload).toBeLessThanOrEqual(10 - ours.slice(0, afterReload - start).filter((part) => part.status === 200).length);
    const link = await page.getAttribute('#uploads li a.download', 'href');
    const download = await fetch(link!);
    expect(download.status).toBe(200);
    expect(await sha256Of(download.body as unknown as AsyncIterable<Uint8Array>)).toBe(createHash('sha256').update(await readFile(source.path)).digest('hex'));
    await page.screenshot({ path: `${artifacts}upload-page-resumed.png`, fullPage: true });
    // Done: the page keeps no state of it.
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
  });

  it('pauses and resumes from the keyboard, and cancels', { timeout: 90_000 }, async () => {
    // Slow enough that neither file finishes while the keys are pressed.
    proxy.rate = 256 * 1024;
    const { page } = await openPage(browser, stack);
    await page.setInputFiles('#file', await filesIn(await tempDir(), { 'paused.bin': randomBytes(12 * MiB), 'cancelled.bin': randomBytes(12 * MiB) }));
    await page.getByRole('button', { name: 'Pause paused.bin' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Resume paused.bin' }).waitFor();
    await page.getByRole('button', { name: 'Cancel cancelled.bin' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Resume paused.bin' }).focus();
    proxy.rate = Infinity;
    await page.keyboard.press('Enter');
    await finished(page, 2);
    expect((await rows(page)).sort((a, b) => a.name!.localeCompare(b.name!))).toEqual([
      { name: 'cancelled.bin', state: 'failed', status: 'CANCELLED' },
      { name: 'paused.bin', state: 'done', status: 'AVAILABLE' },
    ]);
    expect(await page.textContent('#announcer')).toMatch(/available|cancelled/);
  });

  it('shows the refusal of a bad token, and nothing is recorded', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.app.url}/`);
    await page.fill('#token', 'not-a-token');
    await page.dispatchEvent('#token', 'change');
    await page.setInputFiles('#file', [{ name: 'x.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('x') }]);
    await finished(page, 1);
    const [shown] = await rows(page);
    expect(shown.state).toBe('failed');
    expect(shown.status).toMatch(/^error: .*(token|auth)/i);
    const mallory = await stack.token('mallory');
    expect((await stack.graphql(mallory, 'query { files(first: 10) { edges { node { id } } } }')).data.files.edges).toEqual([]);
  });

  it('renews the upload credentials while a long upload runs', { timeout: 120_000 }, async () => {
    const shortLived = await startStack({ LFS_CREDENTIALS_TTL_SECONDS: '8', LFS_MIN_PART_SIZE: String(5 * MiB), LFS_AWS_PUBLIC_ENDPOINT: proxy.url });
    proxy.target = shortLived.app.localAws!.url;
    proxy.rate = 3 * MiB;
    try {
      const { page } = await openPage(browser, shortLived);
      const start = proxy.parts.length;
      await page.setInputFiles('#file', await filesIn(await tempDir(), { 'slow.bin': randomBytes(30 * MiB) }));
      await finished(page, 1);
      expect(await rows(page)).toEqual([{ name: 'slow.bin', state: 'done', status: 'AVAILABLE' }]);
      // Six parts, at most four at a time, over about 10 s with credentials that live 8 s (pushed anew after 2 s):
      // the last parts are signed after the first ones finished, with the renewed credentials.
      expect(new Set(proxy.parts.slice(start).map((part) => part.accessKeyId)).size).toBeGreaterThan(1);
    } finally {
      proxy.target = stack.app.localAws!.url;
      await shortLived.stop();
    }
  });

  it('keeps the token for the tab only: in sessionStorage, never in localStorage', async () => {
    const token = await stack.token('alice');
    const page = await browser.newPage();
    await page.goto(`${stack.app.url}/`);
    // A token an older version of the page left in localStorage is removed on load.
    await page.evaluate(() => localStorage.setItem('lfs.token', 'left-by-an-older-page'));
    await page.reload();
    expect(await page.inputValue('#token')).toBe('');
    await page.fill('#token', token);
    await page.dispatchEvent('#token', 'change');
    const stored = () => page.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage } }));
    expect(await stored()).toEqual({ local: {}, session: { 'lfs.token': token } });
    // A reload of the tab keeps it; another tab (a new browser context) does not see it.
    await page.reload();
    expect(await page.inputValue('#token')).toBe(token);
    expect(JSON.stringify(await stored())).not.toContain('left-by-an-older-page');
    const other = await browser.newPage();
    await other.goto(`${stack.app.url}/`);
    expect(await other.inputValue('#token')).toBe('');
  });

  it('serves the page with a content security policy, and its script', async () => {
    const page = await fetch(`${stack.app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const script = await fetch(`${stack.app.url}/upload-page.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await script.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${stack.app.url}/`, { method: 'POST' })).status).toBe(405);
  });
});

describe.skipIf(!hasChromium)('the upload page when the dock cannot be reached from it', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    await mkdir(artifacts, { recursive: true });
  });
  afterAll(() => browser?.close());

  it('uploads a small file through LFS (PUT /uploads/<fileId>) and says so', { timeout: 60_000 }, async () => {
    // The page is told an endpoint where nothing listens (a firewall would do the same); LFS reaches the dock.
    const stack = await startStack({ LFS_AWS_PUBLIC_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
    try {
      const { page, problems } = await openPage(browser, stack);
      const statuses: string[] = [];
      await page.exposeFunction('sawStatus', (text: string) => statuses.push(text));
      await page.evaluate(() => {
        const list = document.querySelector('#uploads')!;
        new MutationObserver(() => list.querySelectorAll('output').forEach((output) => (window as unknown as { sawStatus(text: string): void }).sawStatus(output.textContent ?? ''))).observe(list, {
          subtree: true,
          childList: true,
          characterData: true,
        });
      });
      const body = randomBytes(300 * 1024);
      await page.setInputFiles('#file', [{ name: 'around.bin', mimeType: 'application/octet-stream', buffer: body }]);
      await finished(page, 1);
      expect(await rows(page)).toEqual([{ name: 'around.bin', state: 'done', status: 'AVAILABLE' }]);
      expect(statuses).toContain('uploading through LFS (the storage cannot be reached)');
      expect(problems).toEqual([]);
      await page.screenshot({ path: `${artifacts}upload-page-fallback.png`, fullPage: true });
      const listed = await stack.graphql(await stack.token('alice'), 'query { files(first: 1) { edges { node { id } } } }');
      const object = await stack.rootS3().send(new GetObjectCommand({ Bucket: stack.app.config.storage.vaultBucket, Key: `files/${listed.data.files.edges[0].node.id}` }));
      expect(await sha256Of(object.Body as AsyncIterable<Uint8Array>)).toBe(createHash('sha256').update(body).digest('hex'));
    } finally {
      await stack.stop();
    }
  });

  it('falls back the same way when the dock refuses the page’s origin (LFS_UPLOAD_ORIGINS)', { timeout: 60_000 }, async () => {
    const strict = await startStack({ LFS_UPLOAD_ORIGINS: 'https://app.example.com' });
    try {
      const { page } = await openPage(browser, strict);
      await page.setInputFiles('#file', [{ name: 'x.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('x') }]);
      await finished(page, 1);
      expect(await rows(page)).toEqual([{ name: 'x.bin', state: 'done', status: 'AVAILABLE' }]);
    } finally {
      await strict.stop();
    }
  });
});

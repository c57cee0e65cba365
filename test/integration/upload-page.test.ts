import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../../packages/local-aws/test/helpers/outside-tools.js';
import { CHROMIUM_ARGS, findChromium } from '../helpers/browser.js';
import { sha256Of } from '../helpers/data.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { WAIT_TIMEOUT_MS } from '../helpers/waits.js';

const MiB = 1024 * 1024;
const executablePath = findChromium();

/** What the page shows for each file: name, final state (done / failed) and status text. */
async function rows(page: import('playwright-core').Page) {
  return page.$$eval('#uploads li', (items) =>
    items.map((item) => ({ name: item.querySelector('span')!.textContent, state: (item as HTMLElement).dataset.state, status: item.querySelector('output')!.textContent })),
  );
}

describe.skipIf(!needs({ name: 'Chromium', path: executablePath, debianPackage: 'chromium', variable: 'LFS_TEST_CHROMIUM' }))(`the upload page in Chromium (${executablePath})`, () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    // Parts at the 5 MiB minimum, so a 12 MiB file is a real multipart upload from the browser.
    stack = await startStack({ LFS_MIN_PART_SIZE: String(5 * MiB) });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('uploads files straight to the dock with lib-storage and shows each AVAILABLE; the vault holds the bytes', async () => {
    const token = await stack.token('alice');
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${stack.app.url}/`);
    await page.fill('#token', token);
    await page.dispatchEvent('#token', 'change');
    const files = { 'big.bin': randomBytes(12 * MiB), 'hello.txt': Buffer.from('hello, vault\n') };
    await page.setInputFiles(
      '#file',
      Object.entries(files).map(([name, buffer]) => ({ name, mimeType: name.endsWith('.txt') ? 'text/plain' : 'application/octet-stream', buffer })),
    );
    await page.waitForFunction(() => document.querySelectorAll('#uploads li[data-state]').length === 2, undefined, { timeout: WAIT_TIMEOUT_MS });
    expect(problems).toEqual([]);
    expect((await rows(page)).sort((a, b) => a.name!.localeCompare(b.name!))).toEqual([
      { name: 'big.bin', state: 'done', status: 'AVAILABLE' },
      { name: 'hello.txt', state: 'done', status: 'AVAILABLE' },
    ]);

    const listed = await stack.graphql(token, 'query { files(first: 10) { edges { node { id name status } } } }');
    const s3 = stack.rootS3();
    for (const { node } of listed.data.files.edges as { node: { id: string; name: keyof typeof files; status: string } }[]) {
      expect(node.status).toBe('AVAILABLE');
      const object = await s3.send(new GetObjectCommand({ Bucket: stack.app.config.storage.vaultBucket, Key: `files/${node.id}` }));
      expect(await sha256Of(object.Body as AsyncIterable<Uint8Array>)).toBe(createHash('sha256').update(files[node.name]).digest('hex'));
    }
  });

  it('shows the refusal of a bad token, and nothing is recorded', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.app.url}/`);
    await page.fill('#token', 'not-a-token');
    await page.dispatchEvent('#token', 'change');
    await page.setInputFiles('#file', [{ name: 'x.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('x') }]);
    await page.waitForFunction(() => document.querySelector('#uploads li[data-state]'), undefined, { timeout: WAIT_TIMEOUT_MS });
    const [shown] = await rows(page);
    expect(shown.state).toBe('failed');
    expect(shown.status).toMatch(/^error: .*(token|auth)/i);
    const mallory = await stack.token('mallory');
    expect((await stack.graphql(mallory, 'query { files(first: 10) { edges { node { id } } } }')).data.files.edges).toEqual([]);
  });

  it('refreshes the upload credentials through LFS when they near expiry', async () => {
    const shortLived = await startStack({ LFS_CREDENTIALS_TTL_SECONDS: '30', LFS_MIN_PART_SIZE: String(5 * MiB) });
    try {
      const page = await browser.newPage();
      let refreshes = 0;
      page.on('request', (request) => {
        if (request.postData()?.includes('refreshUploadCredentials')) refreshes++;
      });
      await page.goto(`${shortLived.app.url}/`);
      await page.fill('#token', await shortLived.token('alice'));
      await page.dispatchEvent('#token', 'change');
      await page.setInputFiles('#file', [{ name: 'big.bin', mimeType: 'application/octet-stream', buffer: randomBytes(11 * MiB) }]);
      await page.waitForFunction(() => document.querySelector('#uploads li[data-state]'), undefined, { timeout: WAIT_TIMEOUT_MS });
      expect(await rows(page)).toEqual([{ name: 'big.bin', state: 'done', status: 'AVAILABLE' }]);
      // 30 s credentials are inside the SDK's 5-minute refresh window from the start.
      expect(refreshes).toBeGreaterThan(0);
    } finally {
      await shortLived.stop();
    }
  });

  it('near the ticket deadline, keeps uploading with the current credentials when LFS refuses a refresh', async () => {
    // Credentials as long as the deadline and no shorter session possible: every refresh is refused (CONFLICT).
    const tight = await startStack({ LFS_LOCAL_AWS_MIN_SESSION_SECONDS: '20', LFS_CREDENTIALS_TTL_SECONDS: '20', LFS_UPLOAD_DEADLINE_SECONDS: '20' });
    try {
      const page = await browser.newPage();
      const refreshes: Promise<string>[] = [];
      page.on('response', (response) => {
        if (response.request().postData()?.includes('refreshUploadCredentials')) refreshes.push(response.text());
      });
      await page.goto(`${tight.app.url}/`);
      await page.fill('#token', await tight.token('alice'));
      await page.dispatchEvent('#token', 'change');
      await page.setInputFiles('#file', [{ name: 'late.bin', mimeType: 'application/octet-stream', buffer: randomBytes(1024) }]);
      await page.waitForFunction(() => document.querySelector('#uploads li[data-state]'), undefined, { timeout: WAIT_TIMEOUT_MS });
      expect(await rows(page)).toEqual([{ name: 'late.bin', state: 'done', status: 'AVAILABLE' }]);
      // Asked once, was refused, and did not ask again.
      const answers = await Promise.all(refreshes);
      expect(answers).toHaveLength(1);
      expect(answers[0]).toContain('"code":"CONFLICT"');
    } finally {
      await tight.stop();
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

  it('cannot upload from an origin the dock does not allow (LFS_UPLOAD_ORIGINS)', async () => {
    const strict = await startStack({ LFS_UPLOAD_ORIGINS: 'https://app.example.com' });
    try {
      const page = await browser.newPage();
      await page.goto(`${strict.app.url}/`);
      await page.fill('#token', await strict.token('alice'));
      await page.dispatchEvent('#token', 'change');
      await page.setInputFiles('#file', [{ name: 'x.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('x') }]);
      await page.waitForFunction(() => document.querySelector('#uploads li[data-state]'), undefined, { timeout: WAIT_TIMEOUT_MS });
      const [shown] = await rows(page);
      expect(shown.state).toBe('failed');
      expect(shown.status).toMatch(/^error: /);
    } finally {
      await strict.stop();
    }
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

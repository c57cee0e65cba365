import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRefusal } from '../helpers/aws-errors.js';
import { CHROMIUM_ARGS, findChromium } from '../helpers/browser.js';
import { bytesOf, startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';
import { needs } from '../helpers/outside-tools.js';

const executablePath = findChromium();

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** A page with nothing but an HTML form: no script, no SDK, the way pages without JavaScript upload. */
function formPage(url: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`);
  return `<!doctype html><html><body>
<form id="upload" action="${escape(url)}" method="post" enctype="multipart/form-data">
${inputs.join('\n')}
<input type="file" name="file" id="file">
<button type="submit" id="send">Upload</button>
</form></body></html>`;
}

describe.skipIf(!needs({ name: 'Chromium', path: executablePath, debianPackage: 'chromium', variable: 'LFS_TEST_CHROMIUM' }))(`POST Object from a plain HTML form in Chromium (${executablePath})`, () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  let browser: Browser;
  let site: Server;
  let siteUrl: string;
  /** The page each test serves at `/`, and what `/done` was told by S3's redirect. */
  let page = '';
  let done: URLSearchParams | undefined;

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['browser-forms']));
    site = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/done') {
        done = url.searchParams;
        res.setHeader('content-type', 'text/html');
        res.end('<!doctype html><p id="done">uploaded</p>');
        return;
      }
      res.setHeader('content-type', 'text/html');
      res.end(page);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await env?.stop();
  });

  it('uploads the chosen file with a policy made by @aws-sdk/s3-presigned-post, and S3 redirects back to the page', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: 'browser-forms',
      Key: 'photos/${filename}',
      Expires: 120,
      Fields: { 'Content-Type': 'image/png', success_action_redirect: `${siteUrl}/done` },
      Conditions: [['content-length-range', 1, 1024 * 1024]],
    });
    page = formPage(url, fields);
    const tab = await browser.newPage();
    await tab.goto(`${siteUrl}/`);
    const image = randomBytes(50_000);
    await tab.setInputFiles('#file', { name: 'cat.png', mimeType: 'image/png', buffer: image });
    await Promise.all([tab.waitForURL(`${siteUrl}/done**`), tab.click('#send')]);
    expect(await tab.textContent('#done')).toBe('uploaded');
    expect(done?.get('bucket')).toBe('browser-forms');
    expect(done?.get('key')).toBe('photos/cat.png');
    expect(done?.get('etag')).toBe(`"${createHash('md5').update(image).digest('hex')}"`);
    expect((await bytesOf(s3, 'browser-forms', 'photos/cat.png')).equals(image)).toBe(true);
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'browser-forms', Key: 'photos/cat.png' }))).ContentType).toBe('image/png');
  });

  it('is refused when the form breaks a condition, and nothing is stored', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: 'browser-forms',
      Key: 'photos/${filename}',
      Expires: 120,
      Fields: { 'Content-Type': 'image/png' },
    });
    // The page was tampered with: it claims another type than the policy allows.
    page = formPage(url, { ...fields, 'Content-Type': 'text/html' });
    const tab = await browser.newPage();
    await tab.goto(`${siteUrl}/`);
    await tab.setInputFiles('#file', { name: 'evil.html', mimeType: 'text/html', buffer: Buffer.from('<script>alert(1)</script>') });
    const [response] = await Promise.all([tab.waitForResponse((r) => r.url() === url), tab.click('#send')]);
    expect(response.status()).toBe(403);
    const text = await response.text();
    expect(text).toContain('<Code>AccessDenied</Code>');
    expect(text).toContain('Policy Condition failed');
    expect(await awsRefusal(s3.send(new HeadObjectCommand({ Bucket: 'browser-forms', Key: 'photos/evil.html' })))).toEqual({ code: 'NotFound', status: 404 });
  });
});

import { mkdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from '../helpers/browser.js';
import { REQUEST_UPLOAD, type Ticket } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { uploadWithTicket } from '../helpers/uploader.js';

const executablePath = findChromium();
/** Screenshots of each run, kept for a person to look at (git-ignored). */
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const CONTENT = Buffer.from('hello, vault\n');

/** GraphiQL's visible editor of the tools pane (Variables or Headers). */
const TOOL_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';

/** Replaces the content of one of GraphiQL's editors as a person would: select all and paste (typed text would get Monaco's auto-closed brackets). */
async function replaceText(page: Page, editor: string, text: string): Promise<void> {
  await page.evaluate((pasted) => navigator.clipboard.writeText(pasted), text);
  await page.locator(editor).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
}

/** Switches to a tab from the keyboard (a mouse click on a tab is taken for the start of a drag in headless Chromium). */
async function openTab(page: Page, title: string): Promise<void> {
  await page.locator('.graphiql-tab-button', { hasText: title }).press('Enter');
  await expect.poll(() => page.locator('.graphiql-tab-active').innerText()).toBe(title);
}

/** The text of GraphiQL's result pane. */
const resultText = (page: Page) => page.locator('.result-window').innerText();

/**
 * Opens GraphiQL in a fresh profile (no tabs kept from another test), with
 * `stored` in its localStorage before the page runs, and waits until it can run.
 */
async function openGraphiQL(browser: Browser, url: string, stored: Record<string, string> = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  await context.addInitScript((entries) => {
    for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
  }, stored);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url);
  await page.waitForSelector('.graphiql-execute-button', { timeout: 60_000 });
  return { context, page, problems };
}

async function requestUpload(stack: Stack, token: string): Promise<Ticket> {
  const { data, errors } = await stack.graphql<{ requestUpload: Ticket }>(token, REQUEST_UPLOAD, {
    input: { name: 'hello.txt', size: CONTENT.length, contentType: 'text/plain' },
  });
  expect(errors).toBeUndefined();
  return data!.requestUpload;
}

describe.skipIf(!executablePath)(`GraphiQL in Chromium (${executablePath})`, () => {
  let browser: Browser;
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('in development (the embedded endpoint with the generated secret)', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('opens with the examples and a development token, and follows a file to AVAILABLE over graphql-ws', async () => {
      // GraphiQL's token is for "dev": the file is dev's, uploaded by the test as a front end would.
      const ticket = await requestUpload(stack, await stack.token('dev'));
      const frames: string[] = [];
      // What GraphiQL's default (persisted headers) left in the browser of someone who used an older page.
      const { context, page, problems } = await openGraphiQL(browser, `${stack.app.url}/graphql`, { 'graphiql:headers': '{"Authorization": "Bearer stale"}' });
      try {
        expect(await page.evaluate(() => localStorage.getItem('graphiql:headers'))).toBeNull();
        page.on('websocket', (socket) => socket.on('framesent', (frame) => frames.push(String(frame.payload))));
        expect(await page.locator('.graphiql-tab').allInnerTexts()).toEqual(['RequestUpload', 'FollowFile', 'MyFiles', 'CreateDownloadLink']);
        await page.locator('.graphiql-editor-tools button[data-name=headers]').click();
        expect(await page.locator(TOOL_EDITOR).innerText()).toMatch(/"Authorization":\s"Bearer\sey/); // Monaco renders spaces as no-break spaces
        await openTab(page, 'FollowFile');
        await page.locator('.graphiql-editor-tools button[data-name=variables]').click();
        await replaceText(page, TOOL_EDITOR, JSON.stringify({ fileId: ticket.file.id }));
        await page.click('.graphiql-execute-button');

        await expect.poll(() => frames.find((frame) => frame.includes('"subscribe"')), { timeout: 20_000 }).toBeTruthy();
        // The token GraphiQL opened with went in connection_init, where LFS authenticates a socket.
        const init = JSON.parse(frames.find((frame) => frame.includes('"connection_init"'))!);
        expect(init.payload.authorization).toMatch(/^Bearer ey/);

        await uploadWithTicket(ticket, Readable.from([CONTENT]));
        await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('AVAILABLE'), undefined, { timeout: 30_000 });
        expect(await resultText(page)).toContain(ticket.file.id);
        await page.screenshot({ path: new URL('graphiql-ws.png', ARTIFACTS).pathname });
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('follows a file to AVAILABLE over SSE with ?subscriptions=sse, the token in the Authorization header', async () => {
      const ticket = await requestUpload(stack, await stack.token('dev'));
      const { context, page, problems } = await openGraphiQL(browser, `${stack.app.url}/graphql?subscriptions=sse`);
      try {
        const sockets: string[] = [];
        page.on('websocket', (socket) => sockets.push(socket.url()));
        await openTab(page, 'FollowFile');
        await page.locator('.graphiql-editor-tools button[data-name=variables]').click();
        await replaceText(page, TOOL_EDITOR, JSON.stringify({ fileId: ticket.file.id }));
        const stream = page.waitForResponse((response) => response.request().headers().accept === 'text/event-stream', { timeout: 20_000 });
        await page.click('.graphiql-execute-button');
        const response = await stream;
        expect(response.status()).toBe(200);
        expect(response.request().headers().authorization).toMatch(/^Bearer ey/);

        await uploadWithTicket(ticket, Readable.from([CONTENT]));
        await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('AVAILABLE'), undefined, { timeout: 30_000 });
        expect(await resultText(page)).toContain(ticket.file.id);
        expect(sockets).toEqual([]);
        await page.screenshot({ path: new URL('graphiql-sse.png', ARTIFACTS).pathname });
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });

  describe('with a configured secret (not development) and LFS_GRAPHIQL=true', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ LFS_GRAPHIQL: 'true', LFS_AUTH_SECRET: 'a-configured-secret-of-enough-length-0123456789' });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('pre-fills nothing, and the Authorization header a person types reaches the graphql-ws connection_init', async () => {
      const alice = await stack.token('alice');
      const ticket = await requestUpload(stack, alice);
      const frames: string[] = [];
      const { context, page, problems } = await openGraphiQL(browser, `${stack.app.url}/graphql`);
      try {
        page.on('websocket', (socket) => socket.on('framesent', (frame) => frames.push(String(frame.payload))));
        expect(await page.locator('.graphiql-tab').count()).toBeLessThanOrEqual(1);
        await page.locator('.graphiql-editor-tools button[data-name=headers]').click();
        expect((await page.locator(TOOL_EDITOR).innerText()).trim()).not.toContain('Bearer');

        await replaceText(page, TOOL_EDITOR, JSON.stringify({ Authorization: `Bearer ${alice}` }));
        await replaceText(page, '.graphiql-query-editor .graphiql-editor', `subscription { fileEvents(fileId: "${ticket.file.id}") { type file { id status } } }`);
        await page.click('.graphiql-execute-button');
        await expect.poll(() => frames.find((frame) => frame.includes('"subscribe"')), { timeout: 20_000 }).toBeTruthy();
        expect(JSON.parse(frames.find((frame) => frame.includes('"connection_init"'))!).payload).toEqual({ authorization: `Bearer ${alice}` });

        await uploadWithTicket(ticket, Readable.from([CONTENT]));
        await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('AVAILABLE'), undefined, { timeout: 30_000 });
        await page.screenshot({ path: new URL('graphiql-typed-header.png', ARTIFACTS).pathname });
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});

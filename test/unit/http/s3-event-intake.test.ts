import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3EventIntakeHandler, INTAKE_PREFIX, type EventIntake } from '../../../src/http/s3-event-intake.js';
import { createRouter } from '../../../src/http/routes.js';

const SECRET = 'a'.repeat(20) + 'B'.repeat(20);
const logger = pino({ level: 'silent' });
const body = JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'dock' }, object: { key: 'uploads/x', size: 1 } } }] });

/** An intake that records what reached it and answers as told. */
function recordingIntake(answer: Awaited<ReturnType<EventIntake['accept']>> = { kind: 'accepted', handled: 1 }) {
  const received: string[] = [];
  const intake: EventIntake = {
    async accept(text) {
      received.push(text);
      return answer;
    },
  };
  return { intake, received };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** LFS's router with only the intake behind it, on port 0. */
async function serve(intake: EventIntake | undefined, secret: string | undefined = SECRET): Promise<string> {
  const unused = () => {
    throw new Error('not this route');
  };
  const handle = createRouter({
    graphql: unused,
    readiness: { check: unused, stopping: unused },
    fallbackUpload: unused as never,
    uploadPage: { serve: unused } as never,
    s3EventIntake: createS3EventIntakeHandler({ secret, intake, logger }),
  });
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the S3 event intake (POST /events/s3/<secret>)', () => {
  it('hands a POST with the secret to the promotion and answers 200', async () => {
    const { intake, received } = recordingIntake();
    const base = await serve(intake);
    const response = await fetch(`${base}${INTAKE_PREFIX}${SECRET}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ handled: 1 });
    expect(received).toEqual([body]);
  });

  it.each([
    ['no secret', ''],
    ['a wrong secret of the same length', 'b'.repeat(40)],
    ['the secret with one more character', `${SECRET}x`],
    ['a prefix of the secret', SECRET.slice(0, 39)],
    ['the secret in another case', SECRET.toLowerCase()],
    ['the secret as a query', `?secret=${SECRET}`],
  ])('refuses %s with 401 whatever the method, and nothing reaches the promotion', async (_name, tail) => {
    const { intake, received } = recordingIntake();
    const base = await serve(intake);
    for (const method of ['POST', 'GET', 'PUT', 'DELETE']) {
      const response = await fetch(`${base}${INTAKE_PREFIX}${tail}`, { method, body: method === 'GET' ? undefined : body });
      expect(response.status, method).toBe(401);
    }
    expect(received).toEqual([]);
  });

  it('is refused (401) when no secret is configured, even to an empty one', async () => {
    const { intake, received } = recordingIntake();
    const base = await serve(intake, undefined);
    expect((await fetch(`${base}${INTAKE_PREFIX}`, { method: 'POST', body })).status).toBe(401);
    expect((await fetch(`${base}${INTAKE_PREFIX}undefined`, { method: 'POST', body })).status).toBe(401);
    expect(received).toEqual([]);
  });

  it('refuses other methods, other content types and oversized bodies with the secret', async () => {
    const { intake, received } = recordingIntake();
    const base = await serve(intake);
    const url = `${base}${INTAKE_PREFIX}${SECRET}`;
    expect((await fetch(url)).status).toBe(405);
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' })).status).toBe(415);
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(300 * 1024) })).status).toBe(413);
    expect(received).toEqual([]);
  });

  it.each([
    ['invalid', { kind: 'invalid', reason: 'no Records' }, 400],
    ['retry', { kind: 'retry', reason: 'promotion failed' }, 500],
  ] as const)('answers %s outcomes so the pusher retries only what may succeed', async (_kind, outcome, status) => {
    const base = await serve(recordingIntake(outcome).intake);
    expect((await fetch(`${base}${INTAKE_PREFIX}${SECRET}`, { method: 'POST', body })).status).toBe(status);
  });

  it('answers 503 where this process does not promote, so the pusher delivers again later', async () => {
    const base = await serve(undefined);
    expect((await fetch(`${base}${INTAKE_PREFIX}${SECRET}`, { method: 'POST', body })).status).toBe(503);
  });
});

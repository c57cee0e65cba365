import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { authenticate, readAll, type RawBody } from './auth/index.js';
import { renderKmsError, renderQueryError, renderS3Error, renderSqsJsonError } from './error-responses.js';
import { AwsError, isAwsError } from './errors.js';
import type { Iam } from './iam/api/index.js';
import type { CredentialStore } from './iam/credentials.js';
import type { Kms } from './kms/api/index.js';
import type { S3 } from './s3/index.js';
import type { Sqs } from './sqs/index.js';
import type { Sts } from './sts/index.js';
import type { AwsRequest, AwsResponse } from './types.js';

/** One request as the node:http binding hands it to the dispatcher. */
export interface RawRequest extends RawBody {
  method: string;
  /** The request target as sent: raw path and query. */
  url: string;
  /** Lower-case names; repeated headers joined with `,`. */
  headers: Record<string, string>;
  sourceIp: string;
  secure: boolean;
  /** Aborted when the client disconnects before the response is sent. */
  signal?: AbortSignal;
}

export interface DispatcherDeps {
  credentials: CredentialStore;
  s3: S3;
  sts: Sts;
  sqs: Sqs;
  iam: Iam;
  kms: Kms;
  logger: { error(o: object, msg?: string): void };
}

/** Form bodies of the Query protocol are small; anything larger is not an STS/SQS call. */
const MAX_FORM_BODY = 1024 * 1024;

type Protocol = 's3' | 'sts' | 'sqs-json' | 'sqs-query' | 'iam' | 'kms';

/**
 * Authenticates each request and hands it to the service its signing scope
 * names: s3 → S3, sts → STS (Query), iam → IAM (Query), kms → KMS (JSON 1.1),
 * sqs → SQS (JSON when `X-Amz-Target` is set, else Query). Every failure becomes an error response in the protocol
 * the client speaks; nothing throws out.
 */
export function createDispatcher(deps: DispatcherDeps): (raw: RawRequest) => Promise<AwsResponse & { requestId: string }> {
  return async (raw) => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    let protocol: Protocol = guessProtocol(raw.headers);
    try {
      const queryStart = raw.url.indexOf('?');
      const rawPath = queryStart < 0 ? raw.url : raw.url.slice(0, queryStart);
      const rawQuery = queryStart < 0 ? '' : raw.url.slice(queryStart + 1);
      const query = new URLSearchParams(rawQuery);
      const parts = { method: raw.method, rawPath, rawQuery, query, headers: raw.headers };
      const auth = await authenticate(raw, parts, deps.credentials);
      if (!auth.anonymous) protocol = protocolOf(auth.service, raw.headers);
      else if (protocol !== 's3') throw new AwsError('MissingAuthenticationToken');
      const request: AwsRequest = {
        method: raw.method,
        rawPath,
        query,
        headers: raw.headers,
        body: auth.body,
        payloadToVerify: auth.payloadToVerify,
        contentLength: auth.contentLength,
        trailers: auth.trailers,
        secure: raw.secure,
        principal: auth.principal,
        sourceIp: raw.sourceIp,
        requestId,
        signal: raw.signal,
      };
      const response = await handleByService(deps, protocol, request);
      return { ...response, requestId };
    } catch (error) {
      const awsError = isAwsError(error) ? error : new AwsError('InternalError');
      if (!isAwsError(error)) deps.logger.error({ err: error, requestId, method: raw.method, url: raw.url }, 'local-aws request failed');
      return { ...renderError(awsError, protocol, requestId, raw.method), requestId };
    }
  };
}

async function handleByService(deps: DispatcherDeps, protocol: Protocol, request: AwsRequest): Promise<AwsResponse> {
  switch (protocol) {
    case 's3':
      return deps.s3.handle(request);
    case 'sts':
      return deps.sts.handle(request, await formParams(request));
    case 'sqs-json':
      return deps.sqs.handle(request);
    case 'sqs-query':
      return deps.sqs.handle(request, await formParams(request));
    case 'iam':
      return deps.iam.handle(request, await formParams(request));
    case 'kms':
      return deps.kms.handle(request);
  }
}

function protocolOf(service: string, headers: Record<string, string>): Protocol {
  switch (service) {
    case 's3':
      return 's3';
    case 'sts':
      return 'sts';
    case 'sqs':
      return headers['x-amz-target'] !== undefined ? 'sqs-json' : 'sqs-query';
    case 'iam':
      return 'iam';
    case 'kms':
      return 'kms';
    default:
      throw new AwsError('NotImplemented', `The service ${service} is not provided by this endpoint.`);
  }
}

/** Before the signature is read (or when it is bad), pick the error format from the request's shape. */
function guessProtocol(headers: Record<string, string>): Protocol {
  const credential = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(headers['authorization'] ?? '')?.[1];
  if (credential === 'sts') return 'sts';
  if (credential === 'iam') return 'iam';
  if (credential === 'kms' || headers['x-amz-target']?.startsWith('TrentService.')) return 'kms';
  if (credential === 'sqs' || headers['x-amz-target']?.startsWith('AmazonSQS.')) return headers['x-amz-target'] ? 'sqs-json' : 'sqs-query';
  return 's3';
}

/** Query protocol parameters: the URL query merged with the form body (`Action=AssumeRole&...`). */
async function formParams(request: AwsRequest): Promise<URLSearchParams> {
  const params = new URLSearchParams(request.query);
  if (request.method === 'POST') {
    const body = await readAll(request.body, MAX_FORM_BODY);
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.append(name, value);
    request.body = Readable.from([]);
  }
  return params;
}

function renderError(error: AwsError, protocol: Protocol, requestId: string, method: string): AwsResponse {
  switch (protocol) {
    case 's3':
      return renderS3Error(error, requestId, method);
    case 'sts':
      return renderQueryError(error, requestId, 'sts');
    case 'sqs-query':
      return renderQueryError(error, requestId, 'sqs');
    case 'sqs-json':
      return renderSqsJsonError(error, requestId);
    case 'iam':
      return renderQueryError(error, requestId, 'iam');
    case 'kms':
      return renderKmsError(error, requestId);
  }
}

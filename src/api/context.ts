import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Caller } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import type { UploadService } from '../uploads/upload-service.js';
import type { LfsPubSub } from './pubsub.js';
import type { RateLimiter } from './rate-limit.js';

/** What resolvers reach through the context; built once per API, shared by every request. */
export interface ApiServices {
  config: Config;
  uploads: UploadService;
  /** Read side for `Query.files`. */
  files: Pick<FileRepository, 'list'>;
  pubsub: LfsPubSub;
  logger: Logger;
  /** Per-owner token buckets of the mutations that mint credentials. */
  rateLimits: { requestUpload: RateLimiter; refreshUploadCredentials: RateLimiter };
}

/** The GraphQL context of one operation (HTTP request, SSE stream or graphql-ws subscribe). */
export interface Context {
  /** Undefined when no token came with the request; resolvers behind `authenticated` see it set. */
  caller?: Caller;
  /** When the caller's token expires; subscriptions end then. */
  tokenExpiresAt?: Date;
  /** Echoed in `x-request-id` and in masked INTERNAL errors, so a report can be matched to the log. */
  requestId: string;
  services: ApiServices;
}

export type AuthenticatedContext = Context & { caller: Caller };

import { MiB, TiB, int } from './fields.js';

/** Limits of the GraphQL API and its HTTP and WebSocket transports. */
export const apiSettings = {
  /** Largest GraphQL request body, bytes (413 beyond). @default 256 KiB */
  LFS_MAX_BODY_BYTES: int(1024, 16 * MiB).default(256 * 1024),
  /** Operations per batched HTTP request; 0 turns batching off. @default 10 */
  LFS_GRAPHQL_BATCH_LIMIT: int(0, 100).default(10),
  /** Deepest selection accepted. @default 8 */
  LFS_GRAPHQL_MAX_DEPTH: int(1, 100).default(8),
  /** graphql-armor cost of one operation (lists count `first` times; a full 100-file page costs ~7,300). @default 10000 */
  LFS_GRAPHQL_MAX_COST: int(1, 1_000_000).default(10_000),
  /** Aliases per operation. @default 15 */
  LFS_GRAPHQL_MAX_ALIASES: int(0, 1000).default(15),
  /** Directives per operation. @default 10 */
  LFS_GRAPHQL_MAX_DIRECTIVES: int(0, 1000).default(10),
  /** Lexer tokens per document. @default 1000 */
  LFS_GRAPHQL_MAX_TOKENS: int(10, 100_000).default(1000),
  /** requestUpload calls per owner per minute (token bucket, per process). @default 60 */
  LFS_RATE_UPLOADS_PER_MINUTE: int(1, 1_000_000).default(60),
  /** requestUpload calls an owner may make at once before the rate applies. @default 20 */
  LFS_RATE_UPLOADS_BURST: int(1, 1_000_000).default(20),
  /** refreshUploadCredentials calls per owner per minute (token bucket, per process). @default 60 */
  LFS_RATE_REFRESH_PER_MINUTE: int(1, 1_000_000).default(60),
  /** @default 20 */
  LFS_RATE_REFRESH_BURST: int(1, 1_000_000).default(20),
  /** AWAITING_UPLOAD files one owner may have at once. @default 100 */
  LFS_QUOTA_OPEN_UPLOADS: int(1, 1_000_000).default(100),
  /** Sum of the declared sizes of one owner's AWAITING_UPLOAD files, bytes. @default 20 TiB */
  LFS_QUOTA_BYTES_IN_FLIGHT: int(1, Number.MAX_SAFE_INTEGER).default(20 * TiB),
  /** A request whose headers take longer is dropped (slow-loris), seconds. @default 15 */
  LFS_HTTP_HEADERS_TIMEOUT_SECONDS: int(1, 600).default(15),
  /** A request whose body takes longer is dropped, seconds (0: no limit). @default 300 */
  LFS_HTTP_REQUEST_TIMEOUT_SECONDS: int(0, 86400).default(300),
  /** A graphql-ws socket that sends no connection_init within this is closed (4408), seconds. @default 3 */
  LFS_WS_INIT_TIMEOUT_SECONDS: int(1, 600).default(3),
  /**
   * Operations one graphql-ws connection may run at once: its subscriptions,
   * and queries or mutations still running; the next is refused with
   * RATE_LIMITED until one completes. 100 lets a client follow each of its
   * open uploads (LFS_QUOTA_OPEN_UPLOADS, 100) with its own subscription,
   * while bounding what one socket holds (a listener and an iterator each).
   * @default 100
   */
  LFS_WS_MAX_SUBSCRIPTIONS: int(1, 100_000).default(100),
  /** Shortest download link; AWS-facing deployments keep 60, tests lower it. @default 60 */
  LFS_DOWNLOAD_LINK_MIN_SECONDS: int(1, 60).default(60),
};

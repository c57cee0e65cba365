import type { Readable } from 'node:stream';

/**
 * A request as the protocol core sees it: already routed to a service and
 * authenticated, with the body still a stream (it may be gigabytes).
 */
export interface AwsRequest {
  method: string;
  /** The raw path as sent, still percent-encoded (`/bucket/uploads/abc`). */
  rawPath: string;
  /** Parsed query string of the request URL. */
  query: URLSearchParams;
  /** Lower-cased header names; repeated headers joined with `,`. */
  headers: Record<string, string>;
  /**
   * The payload, already de-chunked when the client sent `aws-chunked`, and
   * verified against the signed payload hash / chunk signatures as it is read:
   * a mismatch makes the stream error with an `AwsError`.
   */
  body: Readable;
  /**
   * The same payload before its signed SHA-256 is checked, for a consumer
   * that checks it itself: the blob store hashes a multi-gigabyte body off
   * the main thread. Set only when the client signed the hex SHA-256 of a
   * plain (not aws-chunked) body. Read one or the other, never both.
   */
  payloadToVerify?: { body: Readable; sha256: string };
  /** Declared payload length after de-chunking, when known. */
  contentLength?: number;
  /** Trailing headers (`x-amz-checksum-*`), available once `body` has ended. */
  trailers: () => Record<string, string>;
  /** True when the connection counts as TLS (`aws:SecureTransport`). */
  secure: boolean;
  /** Who signed the request; `anonymous` when unsigned. */
  principal: Principal;
  /** Client address, for logs. */
  sourceIp: string;
  /** A unique id for `x-amz-request-id`. */
  requestId: string;
  /** Aborted when the client goes away before the response: a long poll stops waiting and takes nothing. */
  signal?: AbortSignal;
}

export interface AwsResponse {
  status: number;
  headers?: Record<string, string | number>;
  /** Strings and buffers are sent as is; a stream is piped (GetObject). */
  body?: string | Buffer | Readable;
  /**
   * Called when the client went away before the response was delivered, so
   * what the response handed out (received SQS messages) can be taken back.
   */
  onUndelivered?: () => void;
}

export type PolicyEffect = 'Allow' | 'Deny';

/** An IAM policy document as AWS accepts it (single values or arrays). */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: PolicyEffect;
  Principal?: '*' | Record<string, string | string[]>;
  NotPrincipal?: '*' | Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

/** The endpoint's permanent credentials: allowed everything not denied by a bucket policy. */
export interface RootCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The identity behind a signed request. */
export type Principal =
  | { kind: 'anonymous' }
  | {
      /** The root user of an account: allowed everything in its own account not denied by a resource policy. */
      kind: 'root';
      accessKeyId: string;
      arn: string;
      accountId: string;
    }
  | {
      /** An IAM user, signing with one of its access keys: allowed what its inline policies allow. */
      kind: 'user';
      accessKeyId: string;
      /** `arn:aws:iam::<account>:user/<path><name>` */
      arn: string;
      accountId: string;
      userName: string;
      /** `AIDA...` */
      userId: string;
      policies: PolicyDocument[];
    }
  | {
      /** Temporary credentials from STS AssumeRole. */
      kind: 'assumed-role';
      accessKeyId: string;
      /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
      arn: string;
      roleArn: string;
      accountId: string;
      sessionName: string;
      /** The role's identity policies; a request must be allowed by one of them ... */
      rolePolicies: PolicyDocument[];
      /** ... and by the inline session policy, when one was given. */
      sessionPolicy?: PolicyDocument;
      expiration: Date;
    }
  | {
      /**
       * An AWS service acting on its own behalf (S3 delivering a bucket
       * notification): it has no identity policies, so only a resource policy
       * naming it (`"Principal": {"Service": "s3.amazonaws.com"}`) lets it in.
       */
      kind: 'service';
      service: string;
    };

/** Values for IAM condition keys, e.g. `aws:SecureTransport`, `s3:x-amz-server-side-encryption`. */
export type ConditionContext = Record<string, string | string[] | undefined>;

/** One authorization question: may `principal` do `action` on `resource`? */
export interface AuthzRequest {
  principal: Principal;
  action: string;
  resource: string;
  context: ConditionContext;
  /** The resource-based policy (e.g. bucket policy), when the resource has one. */
  resourcePolicy?: PolicyDocument;
  /**
   * The account that owns the resource. A principal of another account needs
   * an Allow from both sides: its own identity policies and the resource
   * policy. @default the principal's own account
   */
  resourceAccount?: string;
  /**
   * The resource policy must allow (KMS key policies, role trust policies):
   * identity policies count only when it delegates to them by naming the
   * principal's account (`arn:aws:iam::<account>:root`). @default false
   */
  resourcePolicyRequired?: boolean;
}

/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type ChecksumAlgorithm =
  | 'CRC32'
  | 'CRC32C'
  | 'CRC64NVME'
  | 'SHA256';

export type ChecksumInput = {
  algorithm: ChecksumAlgorithm;
  /** Base64 of the digest, as S3 reports it. */
  value: string;
};

export type FileEventType =
  /** The file is in the vault and can be downloaded. */
  | 'AVAILABLE'
  /** Promotion failed; see file.failureReason. */
  | 'FAILED'
  /** A long vault copy advanced; see file.promotionProgress. No status change. */
  | 'PROGRESS'
  /** The status changed (see file.status). */
  | 'STATUS_CHANGED';

export type FileStatus =
  | 'AVAILABLE'
  | 'AWAITING_UPLOAD'
  | 'CANCELLED'
  | 'EXPIRED'
  | 'FAILED'
  | 'PROMOTING';

export type RequestUploadInput = {
  /** Optional whole-file checksum, verified at promotion. */
  checksum?: ChecksumInput | null | undefined;
  /** A media type; default application/octet-stream. */
  contentType?: string | null | undefined;
  /** At most 64 keys and 8 KiB of JSON. */
  metadata?: Record<string, unknown> | null | undefined;
  /** 1..1024 characters, no control characters; never used as a storage key. */
  name: string;
  /** Bytes; 0 < size <= the configured maximum. */
  size: number;
};

export type RequestUploadMutationVariables = Exact<{
  input: RequestUploadInput;
}>;


export type RequestUploadMutation = { requestUpload: { file: { id: string }, target: { endpoint: string | null, region: string, bucket: string, key: string, forcePathStyle: boolean, kmsKeyId: string, partSize: number }, credentials: { accessKeyId: string, secretAccessKey: string, sessionToken: string, expiration: string } } };

export type RefreshCredentialsMutationVariables = Exact<{
  fileId: string | number;
}>;


export type RefreshCredentialsMutation = { refreshUploadCredentials: { accessKeyId: string, secretAccessKey: string, sessionToken: string, expiration: string } };

export type FileEventsSubscriptionVariables = Exact<{
  fileId?: string | number | null | undefined;
}>;


export type FileEventsSubscription = { fileEvents: { type: FileEventType, file: { id: string, status: FileStatus, failureReason: string | null } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const RequestUploadDocument = new TypedDocumentString(`
    mutation RequestUpload($input: RequestUploadInput!) {
  requestUpload(input: $input) {
    file {
      id
    }
    target {
      endpoint
      region
      bucket
      key
      forcePathStyle
      kmsKeyId
      partSize
    }
    credentials {
      accessKeyId
      secretAccessKey
      sessionToken
      expiration
    }
  }
}
    `) as unknown as TypedDocumentString<RequestUploadMutation, RequestUploadMutationVariables>;
export const RefreshCredentialsDocument = new TypedDocumentString(`
    mutation RefreshCredentials($fileId: ID!) {
  refreshUploadCredentials(fileId: $fileId) {
    accessKeyId
    secretAccessKey
    sessionToken
    expiration
  }
}
    `) as unknown as TypedDocumentString<RefreshCredentialsMutation, RefreshCredentialsMutationVariables>;
export const FileEventsDocument = new TypedDocumentString(`
    subscription FileEvents($fileId: ID) {
  fileEvents(fileId: $fileId) {
    type
    file {
      id
      status
      failureReason
    }
  }
}
    `) as unknown as TypedDocumentString<FileEventsSubscription, FileEventsSubscriptionVariables>;
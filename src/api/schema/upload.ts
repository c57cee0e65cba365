import type { Caller } from '../../files/model.js';
import type { UploadCredentials } from '../../credentials/issuer.js';
import type { UploadTarget, UploadTicket } from '../../uploads/ticket.js';
import { builder } from '../builder.js';
import { validateChecksum, validateUploadRequest } from '../validation.js';
import { ChecksumAlgorithmEnum, FileRef } from './file.js';

/** Rate limits are per owner within a tenant. */
export const ownerKey = (caller: Caller) => `${caller.tenant}\u0000${caller.subject}`;

const ChecksumInput = builder.inputType('ChecksumInput', {
  fields: (t) => ({
    algorithm: t.field({ type: ChecksumAlgorithmEnum, required: true }),
    value: t.string({ required: true, description: 'Base64 of the digest, as S3 reports it.' }),
  }),
});

const RequestUploadInput = builder.inputType('RequestUploadInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: '1..1024 characters, no control characters; never used as a storage key.' }),
    size: t.field({ type: 'SafeInt', required: true, description: 'Bytes; 0 < size <= the configured maximum.' }),
    contentType: t.string({ description: 'A media type; default application/octet-stream.' }),
    metadata: t.field({ type: 'JSONObject', description: 'At most 64 keys and 8 KiB of JSON.' }),
    checksum: t.field({ type: ChecksumInput, description: 'Optional whole-file checksum, verified at promotion.' }),
  }),
});

const UploadTargetRef = builder.objectRef<UploadTarget>('UploadTarget').implement({
  fields: (t) => ({
    endpoint: t.exposeString('endpoint', { nullable: true, description: 'Null on AWS; the S3 endpoint URL otherwise.' }),
    region: t.exposeString('region'),
    bucket: t.exposeString('bucket'),
    key: t.exposeString('key'),
    forcePathStyle: t.exposeBoolean('forcePathStyle'),
    kmsKeyId: t.exposeString('kmsKeyId', { description: 'Send as x-amz-server-side-encryption-aws-kms-key-id.' }),
    partSize: t.expose('partSize', { type: 'SafeInt', description: 'Recommended multipart part size for this file.' }),
    fallbackMaxBytes: t.expose('fallbackMaxBytes', {
      type: 'SafeInt',
      description: 'Largest file `PUT /uploads/<fileId>` takes: the fallback for clients that cannot reach the dock (LFS_FALLBACK_MAX_BYTES).',
    }),
  }),
});

export const UploadCredentialsRef = builder.objectRef<UploadCredentials>('UploadCredentials').implement({
  fields: (t) => ({
    accessKeyId: t.exposeString('accessKeyId'),
    secretAccessKey: t.exposeString('secretAccessKey'),
    sessionToken: t.exposeString('sessionToken'),
    expiration: t.expose('expiration', { type: 'DateTime' }),
  }),
});

const UploadTicketRef = builder.objectRef<UploadTicket>('UploadTicket').implement({
  fields: (t) => ({
    file: t.field({ type: FileRef, resolve: (ticket) => ticket.file }),
    target: t.field({ type: UploadTargetRef, resolve: (ticket) => ticket.target }),
    credentials: t.field({ type: UploadCredentialsRef, resolve: (ticket) => ticket.credentials }),
    uploadId: t.exposeString('uploadId', {
      nullable: true,
      description: 'From resumeUpload: the newest multipart upload open on the key, to resume with ListParts. Null from requestUpload.',
    }),
  }),
});

builder.mutationField('requestUpload', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: UploadTicketRef,
    description: 'Creates a file record and returns where and with which credentials to upload it.',
    args: { input: t.arg({ type: RequestUploadInput, required: true }) },
    resolve: async (_root, { input }, { caller, services }) => {
      // Counted before validation: failed attempts cost the same as good ones. Quotas are the upload service's.
      await services.rateLimits.requestUpload.take(ownerKey(caller));
      return services.uploads.requestUpload(caller, validateUploadRequest(input, services.config.uploads));
    },
  }),
);

builder.mutationField('refreshUploadCredentials', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: UploadCredentialsRef,
    description: 'Fresh credentials for the same key; only while AWAITING_UPLOAD.',
    args: { fileId: t.arg.id({ required: true }) },
    resolve: async (_root, { fileId }, { caller, services }) => {
      await services.rateLimits.refreshUploadCredentials.take(ownerKey(caller));
      return services.uploads.refreshUploadCredentials(caller, String(fileId));
    },
  }),
);

builder.mutationField('resumeUpload', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: UploadTicketRef,
    description:
      'The ticket again for a file still AWAITING_UPLOAD (after a reload, a crash, or on another machine): its target, fresh ' +
      'credentials, and `uploadId`, the newest multipart upload open on its key. Upload credentials may list the parts of an ' +
      'upload (ListParts) but not the uploads of the dock, so LFS lists them. CONFLICT once the file left AWAITING_UPLOAD.',
    args: { fileId: t.arg.id({ required: true }) },
    resolve: async (_root, { fileId }, { caller, services }) => {
      await services.rateLimits.refreshUploadCredentials.take(ownerKey(caller));
      return services.uploads.resumeUpload(caller, String(fileId));
    },
  }),
);

builder.mutationField('declareChecksum', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: FileRef,
    description:
      'Declares the whole-file checksum of a file still AWAITING_UPLOAD that has none, verified at promotion like one given to ' +
      'requestUpload: a client computing it while uploading declares it before completing the upload. The same value again is ' +
      'accepted; another one, or a file past AWAITING_UPLOAD, is CONFLICT.',
    args: {
      fileId: t.arg.id({ required: true }),
      checksum: t.arg({ type: ChecksumInput, required: true }),
    },
    resolve: (_root, { fileId, checksum }, { caller, services }) =>
      services.uploads.declareChecksum(caller, String(fileId), validateChecksum(checksum, 'checksum.value')),
  }),
);

builder.mutationField('cancelUpload', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: FileRef,
    description: 'Aborts the multipart upload and marks the file CANCELLED.',
    args: { fileId: t.arg.id({ required: true }) },
    resolve: (_root, { fileId }, { caller, services }) => services.uploads.cancelUpload(caller, String(fileId)),
  }),
);

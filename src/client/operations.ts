/**
 * The GraphQL operations of the client, typed by `npm run codegen` from
 * schema.graphql into ./gql/ (build output): a schema change that breaks one
 * of them fails the typecheck.
 */
import { graphql } from './gql/index.js';

export const FILE_FIELDS = graphql(`
  fragment LfsFileFields on File {
    id name size contentType metadata status owner failureReason createdAt uploadedAt availableAt promotionProgress
    checksum { algorithm value }
  }
`);

export const REQUEST_UPLOAD = graphql(`
  mutation LfsRequestUpload($input: RequestUploadInput!) {
    requestUpload(input: $input) {
      file { ...LfsFileFields }
      target { endpoint region bucket key forcePathStyle kmsKeyId partSize fallbackMaxBytes }
      credentials { accessKeyId secretAccessKey sessionToken expiration }
      uploadId
    }
  }
`);

export const RESUME_UPLOAD = graphql(`
  mutation LfsResumeUpload($fileId: ID!) {
    resumeUpload(fileId: $fileId) {
      file { ...LfsFileFields }
      target { endpoint region bucket key forcePathStyle kmsKeyId partSize fallbackMaxBytes }
      credentials { accessKeyId secretAccessKey sessionToken expiration }
      uploadId
    }
  }
`);

export const REFRESH_CREDENTIALS = graphql(`
  mutation LfsRefreshCredentials($fileId: ID!) {
    refreshUploadCredentials(fileId: $fileId) { accessKeyId secretAccessKey sessionToken expiration }
  }
`);

export const DECLARE_CHECKSUM = graphql(`
  mutation LfsDeclareChecksum($fileId: ID!, $checksum: ChecksumInput!) {
    declareChecksum(fileId: $fileId, checksum: $checksum) { id checksum { algorithm value } }
  }
`);

export const CANCEL_UPLOAD = graphql(`
  mutation LfsCancelUpload($fileId: ID!) {
    cancelUpload(fileId: $fileId) { ...LfsFileFields }
  }
`);

export const CREATE_DOWNLOAD_LINK = graphql(`
  mutation LfsCreateDownloadLink($fileId: ID!, $expiresIn: Int) {
    createDownloadLink(fileId: $fileId, expiresIn: $expiresIn) { url expiresAt }
  }
`);

export const FILE = graphql(`
  query LfsFile($id: ID!) {
    file(id: $id) { ...LfsFileFields }
  }
`);

export const FILE_EVENTS = graphql(`
  subscription LfsFileEvents($fileId: ID) {
    fileEvents(fileId: $fileId) { type at file { ...LfsFileFields } }
  }
`);

export const UPLOAD_CREDENTIALS = graphql(`
  subscription LfsUploadCredentials($fileId: ID!, $expiration: DateTime) {
    uploadCredentials(fileId: $fileId, expiration: $expiration) { accessKeyId secretAccessKey sessionToken expiration }
  }
`);

export const FILES = graphql(`
  query LfsFiles($first: Int, $after: String, $status: FileStatus) {
    files(first: $first, after: $after, status: $status) {
      edges { node { ...LfsFileFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

/** The GraphQL operations a front end sends, shared by the end-to-end tests. */

const fileFields = /* GraphQL */ `
  id name size contentType metadata status owner failureReason createdAt uploadedAt availableAt
  checksum { algorithm value }
`;

export const REQUEST_UPLOAD = /* GraphQL */ `
  mutation RequestUpload($input: RequestUploadInput!) {
    requestUpload(input: $input) {
      file { ${fileFields} }
      target { endpoint region bucket key forcePathStyle kmsKeyId partSize }
      credentials { accessKeyId secretAccessKey sessionToken expiration }
    }
  }
`;

export const REFRESH_CREDENTIALS = /* GraphQL */ `
  mutation Refresh($fileId: ID!) {
    refreshUploadCredentials(fileId: $fileId) { accessKeyId secretAccessKey sessionToken expiration }
  }
`;

export const FILE = /* GraphQL */ `
  query File($id: ID!) { file(id: $id) { ${fileFields} } }
`;

export const FILE_AVAILABLE = /* GraphQL */ `
  subscription FileAvailable($fileId: ID) { fileAvailable(fileId: $fileId) { ${fileFields} } }
`;

export const FILE_EVENTS = /* GraphQL */ `
  subscription FileEvents($fileId: ID) { fileEvents(fileId: $fileId) { type at file { ${fileFields} } } }
`;

export interface Ticket {
  file: { id: string; status: string; size: number; name: string; createdAt: string };
  target: { endpoint: string | null; region: string; bucket: string; key: string; forcePathStyle: boolean; kmsKeyId: string; partSize: number };
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
}

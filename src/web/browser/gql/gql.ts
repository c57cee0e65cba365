/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation RequestUpload($input: RequestUploadInput!) {\n    requestUpload(input: $input) {\n      file { id }\n      target { endpoint region bucket key forcePathStyle kmsKeyId partSize }\n      credentials { accessKeyId secretAccessKey sessionToken expiration }\n    }\n  }\n": typeof types.RequestUploadDocument,
    "\n  mutation RefreshCredentials($fileId: ID!) {\n    refreshUploadCredentials(fileId: $fileId) { accessKeyId secretAccessKey sessionToken expiration }\n  }\n": typeof types.RefreshCredentialsDocument,
    "\n  subscription FileEvents($fileId: ID) {\n    fileEvents(fileId: $fileId) { type file { id status failureReason } }\n  }\n": typeof types.FileEventsDocument,
};
const documents: Documents = {
    "\n  mutation RequestUpload($input: RequestUploadInput!) {\n    requestUpload(input: $input) {\n      file { id }\n      target { endpoint region bucket key forcePathStyle kmsKeyId partSize }\n      credentials { accessKeyId secretAccessKey sessionToken expiration }\n    }\n  }\n": types.RequestUploadDocument,
    "\n  mutation RefreshCredentials($fileId: ID!) {\n    refreshUploadCredentials(fileId: $fileId) { accessKeyId secretAccessKey sessionToken expiration }\n  }\n": types.RefreshCredentialsDocument,
    "\n  subscription FileEvents($fileId: ID) {\n    fileEvents(fileId: $fileId) { type file { id status failureReason } }\n  }\n": types.FileEventsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestUpload($input: RequestUploadInput!) {\n    requestUpload(input: $input) {\n      file { id }\n      target { endpoint region bucket key forcePathStyle kmsKeyId partSize }\n      credentials { accessKeyId secretAccessKey sessionToken expiration }\n    }\n  }\n"): typeof import('./graphql.js').RequestUploadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshCredentials($fileId: ID!) {\n    refreshUploadCredentials(fileId: $fileId) { accessKeyId secretAccessKey sessionToken expiration }\n  }\n"): typeof import('./graphql.js').RefreshCredentialsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription FileEvents($fileId: ID) {\n    fileEvents(fileId: $fileId) { type file { id status failureReason } }\n  }\n"): typeof import('./graphql.js').FileEventsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

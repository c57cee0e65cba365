export { createLocalAws, type LocalAws, type LocalAwsOptions } from './server.js';
export type { RootCredentials } from './iam/credentials.js';
export type { RoleDefinition, Role } from './iam/roles.js';

/**
 * The package's whole public surface: the endpoint (`createLocalAws`) and its
 * policy evaluation on its own (`simulatePolicy`). Everything else is inside.
 */
export { createLocalAws, type LocalAws, type LocalAwsLogger, type LocalAwsOptions } from './server.js';
export type { Role, RoleDefinition } from './iam/roles.js';
export { simulatePolicy, type PolicySimulation } from './iam/simulate.js';
export type { Decision as PolicyDecision } from './iam/policy.js';
export type { ConditionContext, PolicyDocument, PolicyStatement, RootCredentials } from './types.js';

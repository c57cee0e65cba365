export { createAuthenticator, DEFAULT_JWKS_ALGORITHMS, type Authenticator, type AuthenticatorOptions, type Identity, type KeySource } from './authenticator.js';
export { callerOf, DEFAULT_TENANT, type ClaimMapping } from './claims.js';
export { loadOrCreateSecret } from './secret.js';
export { DEVELOPMENT_TOKEN, mintDevelopmentToken, mintToken, type MintTokenOptions } from './tokens.js';
export { authenticatorOptions } from './options.js';

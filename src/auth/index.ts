export { createAuthenticator, type Authenticator, type AuthenticatorOptions } from './authenticator.js';
export { loadOrCreateSecret } from './secret.js';
export { mintToken, type MintTokenOptions } from './tokens.js';

import type { Principal } from '../../types.js';
import type { RoleStore } from '../roles.js';
import type { UserStore } from '../users.js';
import type { PrincipalDirectory } from './documents.js';

/** One IAM request as an operation sees it: the caller's account is the account it acts in. */
export interface IamContext {
  principal: Exclude<Principal, { kind: 'anonymous' } | { kind: 'service' }>;
  accountId: string;
  roles: RoleStore;
  users: UserStore;
  directory: PrincipalDirectory;
  /** Throws AccessDenied unless the caller's identity policies allow `action` on `resource`. */
  authorize(action: string, resource: string): void;
  /** `arn:aws:iam::<account>:<kind><path><name>` */
  arn(kind: 'role' | 'user', name: string, path?: string): string;
}

/** Query-protocol parameters in, the `<ActionResult>` content out. */
export type IamOperation = (ctx: IamContext, params: URLSearchParams) => Record<string, unknown>;

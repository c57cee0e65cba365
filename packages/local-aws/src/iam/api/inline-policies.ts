import { AwsError } from '../../errors.js';
import type { PolicyDocument } from '../../types.js';
import type { IamContext, IamOperation } from './context.js';
import { encodedDocument, packedSize, parseIamPolicy } from './documents.js';
import { policyName, required } from './params.js';


interface Holder {
  name: string;
  inlinePolicies: Record<string, PolicyDocument>;
}

/**
 * Put/Get/Delete/List of inline policies, the same for roles and users:
 * `kind` names them in messages and answers (`RoleName`, `UserName`), `of`
 * finds the one a request names, `store` keeps the policy, and the sum of a
 * holder's inline policies may not pass `limit` bytes.
 */
/** A Query-protocol list: `<member>` elements, or an empty element the SDKs read as `[]`. */
export function memberList<T>(items: T[]): { member: T[] } | '' {
  return items.length ? { member: items } : '';
}

export function inlinePolicyOperations<T extends Holder>(options: {
  kind: 'Role' | 'User';
  of(ctx: IamContext, params: URLSearchParams, action: string): T;
  store(ctx: IamContext, holder: T, name: string, policy: PolicyDocument | undefined): void;
  limit: number;
}): { put: IamOperation; get: IamOperation; remove: IamOperation; list: IamOperation } {
  const { kind, of, store, limit } = options;
  const lower = kind.toLowerCase();
  return {
    put(ctx, params) {
      const holder = of(ctx, params, `Put${kind}Policy`);
      const name = policyName(params);
      const policy = parseIamPolicy(required(params, 'PolicyDocument'), 'identity', ctx.directory);
      const others = Object.entries(holder.inlinePolicies).filter(([other]) => other !== name);
      const total = others.reduce((sum, [, document]) => sum + packedSize(document), packedSize(policy));
      if (total > limit) throw new AwsError('LimitExceeded', `Maximum policy size of ${limit} bytes exceeded for ${lower} ${holder.name}`);
      store(ctx, holder, name, policy);
      return {};
    },
    get(ctx, params) {
      const holder = of(ctx, params, `Get${kind}Policy`);
      const name = policyName(params);
      const policy = holder.inlinePolicies[name];
      if (!policy) throw new AwsError('NoSuchEntity', `The ${lower} policy with name ${name} cannot be found.`);
      return { [`${kind}Name`]: holder.name, PolicyName: name, PolicyDocument: encodedDocument(policy) };
    },
    remove(ctx, params) {
      const holder = of(ctx, params, `Delete${kind}Policy`);
      store(ctx, holder, policyName(params), undefined);
      return {};
    },
    list(ctx, params) {
      const holder = of(ctx, params, `List${kind}Policies`);
      return { PolicyNames: memberList(Object.keys(holder.inlinePolicies).sort()), IsTruncated: false };
    },
  };
}

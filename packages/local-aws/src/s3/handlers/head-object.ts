import type { S3Handler } from '../context.js';
import { planRead, readableObject, responseOverrides } from './get-object.js';

/** GetObject's answer without its body: the same status (206 for a part or a range, 304) and headers. */
export const headObject: S3Handler = async (ctx, req, target) => {
  const overrides = responseOverrides(req);
  const { bucket, row } = readableObject(ctx, req, target);
  const plan = planRead(ctx, req, bucket, row);
  return { status: plan.status, headers: plan.status === 304 ? plan.headers : { ...plan.headers, ...overrides } };
};

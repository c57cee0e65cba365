import type { AwsResponse } from '../types.js';
import { queryDocument, type XmlNode } from '../xml.js';

/** The Query-protocol answer every STS action gives: `<ActionResponse><ActionResult>` and the request id. */
export function stsResponse(action: string, requestId: string, result: XmlNode): AwsResponse {
  return { status: 200, headers: { 'content-type': 'text/xml' }, body: queryDocument('sts', action, result, requestId) };
}

import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { AwsError } from './errors.js';

/**
 * Every XML document the endpoint reads or writes: S3 bodies both ways, and
 * the responses of the Query protocol (STS, SQS) and of errors. One builder,
 * configured once, writes them all, so escaping and empty elements are the
 * same everywhere.
 */

/** A value tree rendered as XML: objects become elements, arrays repeat the element, undefined and null are left out. */
export type XmlValue = string | number | boolean | undefined | null | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

export const namespaces = {
  s3: 'http://s3.amazonaws.com/doc/2006-03-01/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  sqs: 'http://queue.amazonaws.com/doc/2012-11-05/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
} as const;

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const ATTRIBUTE = '@_';
const TEXT = '#text';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE,
  textNodeName: TEXT,
  // `<Prefix></Prefix>`: an empty value is an element with no content, as S3 writes it.
  suppressEmptyNode: false,
  processEntities: true,
  format: false,
});

/** The tree without undefined, null or empty lists: the builder writes `<a/>` for null, and a Query `Result` holding nothing is left out. */
function prune(node: XmlNode): XmlNode {
  const out: XmlNode = {};
  for (const [name, value] of Object.entries(node)) {
    const pruned = pruneValue(value);
    if (pruned !== undefined) out[name] = pruned;
  }
  return out;
}

function pruneValue(value: XmlValue): XmlValue {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(pruneValue).filter((item) => item !== undefined);
    return items.length ? items : undefined;
  }
  return typeof value === 'object' ? prune(value) : value;
}

/** `<root xmlns="namespace">` holding `body` (elements, or text), after the XML declaration. */
export function xmlDocument(root: string, body: XmlNode | string, namespace?: string): string {
  const content = typeof body === 'string' ? { [TEXT]: body } : prune(body);
  return DECLARATION + builder.build({ [root]: namespace ? { [`${ATTRIBUTE}xmlns`]: namespace, ...content } : content });
}

/** An S3 document: the S3 namespace on its root element. */
export function s3Document(root: string, body: XmlNode | string): string {
  return xmlDocument(root, body, namespaces.s3);
}

/**
 * The Query protocol's answer to `action` (STS, SQS): `<ActionResponse>`
 * holding `<ActionResult>` (left out when it holds nothing) and the request
 * id.
 */
export function queryDocument(service: 'sts' | 'sqs' | 'iam', action: string, result: XmlNode, requestId: string): string {
  const pruned = prune(result);
  return xmlDocument(
    `${action}Response`,
    { [`${action}Result`]: Object.keys(pruned).length ? pruned : undefined, ResponseMetadata: { RequestId: requestId } },
    namespaces[service],
  );
}

export const xmlContentType = { 'content-type': 'application/xml' };

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

/** Parses a request document; returns the root element's content. Throws MalformedXML. */
export function parseXml(text: string, root: string): Record<string, unknown> {
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(text, true) as Record<string, unknown>;
  } catch {
    throw new AwsError('MalformedXML');
  }
  const content = parsed[root];
  if (content === undefined) throw new AwsError('MalformedXML');
  return content === '' ? {} : (content as Record<string, unknown>);
}

/** Elements that may repeat come back as one object or an array: always get an array. */
export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined || value === null || (value as unknown) === '') return [];
  return Array.isArray(value) ? value : [value];
}

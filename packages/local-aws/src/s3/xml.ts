import { XMLParser } from 'fast-xml-parser';
import { AwsError } from '../errors.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A value tree rendered as XML: objects become elements, arrays repeat the element, undefined is omitted. */
export type XmlValue = string | number | boolean | undefined | null | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' })[c]};`);
}

function render(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => render(name, item)).join('');
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value).map(([child, v]) => render(child, v)).join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** An S3 response document with the S3 namespace on the root element. */
export function xmlDocument(root: string, body: XmlNode, namespace = true): string {
  const inner = Object.entries(body).map(([child, v]) => render(child, v)).join('');
  const attrs = namespace ? ` xmlns="${NS}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${attrs}>${inner}</${root}>`;
}

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

export const xmlContentType = { 'content-type': 'application/xml' };

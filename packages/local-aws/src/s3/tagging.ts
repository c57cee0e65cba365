import { AwsError } from '../errors.js';
import { asArray, parseXml, type XmlNode } from '../xml.js';

/**
 * Object tags, as far as this endpoint keeps them: given at write time
 * (`x-amz-tagging` on PutObject and CreateMultipartUpload, the `tagging`
 * field of a POST form), stored with the object's headers, counted in
 * `x-amz-tagging-count` on reads and matched by lifecycle filters. The
 * tagging sub-resource itself (GetObjectTagging, PutObjectTagging) is not
 * implemented.
 */
export const TAGGING = 'x-amz-tagging';

const MAX_TAGS = 10;

function checked(tags: Map<string, string>): Map<string, string> {
  if (tags.size > MAX_TAGS) throw new AwsError('InvalidArgument', 'Object tags cannot be greater than 10', { ArgumentName: TAGGING });
  for (const [key, value] of tags) {
    if (key.length === 0 || key.length > 128) throw new AwsError('InvalidArgument', 'The TagKey you have provided is invalid', { ArgumentName: TAGGING });
    if (value.length > 256) throw new AwsError('InvalidArgument', 'The TagValue you have provided is invalid', { ArgumentName: TAGGING });
  }
  return tags;
}

/** `x-amz-tagging: k1=v1&k2=v2` (URL query form); a key given twice is refused, as S3 does. */
export function parseTaggingHeader(value: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const [key, tagValue] of new URLSearchParams(value)) {
    if (tags.has(key)) throw new AwsError('InvalidArgument', 'Cannot provide multiple Tags with the same key', { ArgumentName: TAGGING });
    tags.set(key, tagValue);
  }
  return checked(tags);
}

/** The `tagging` field of a POST form: a `<Tagging><TagSet><Tag>…` document. */
export function parseTaggingDocument(text: string): Map<string, string> {
  let root: Record<string, unknown>;
  try {
    root = parseXml(text, 'Tagging');
  } catch {
    throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  const tags = new Map<string, string>();
  for (const tag of asArray((root.TagSet as XmlNode | undefined)?.Tag as XmlNode | XmlNode[])) {
    if (typeof tag !== 'object' || typeof tag.Key !== 'string') throw new AwsError('MalformedXML');
    if (tags.has(tag.Key)) throw new AwsError('InvalidTag', 'Cannot provide multiple Tags with the same key');
    tags.set(tag.Key, typeof tag.Value === 'string' ? tag.Value : '');
  }
  return checked(tags);
}

export function encodeTags(tags: Map<string, string>): string {
  return new URLSearchParams([...tags]).toString();
}

/** An object's tags, from its stored headers. */
export function tagsOf(object: { headers: string }): Map<string, string> {
  const stored = (JSON.parse(object.headers) as Record<string, string>)[TAGGING];
  return new Map(stored ? new URLSearchParams(stored) : []);
}

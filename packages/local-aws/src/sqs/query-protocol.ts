import { queryDocument, type XmlNode } from '../xml.js';
import type { Input } from './context.js';

/**
 * The SQS Query protocol (form parameters in, XML out) mapped onto the
 * JSON-protocol shapes the handlers work with, for older CLIs and SDKs.
 */

type Tree = { [key: string]: Tree | string };

/** `A.1.B=x` → `{ A: { 1: { B: 'x' } } }`. */
function toTree(params: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of params) {
    const path = key.split('.');
    let node = root;
    for (const segment of path.slice(0, -1)) {
      const child = node[segment];
      node = typeof child === 'object' ? child : (node[segment] = {});
    }
    node[path[path.length - 1]] = value;
  }
  return root;
}

function members(node: Tree | string | undefined): Tree[] {
  if (typeof node !== 'object') return [];
  return Object.keys(node)
    .filter((key) => /^\d+$/.test(key))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => node[key])
    .filter((member): member is Tree => typeof member === 'object');
}

function scalars(node: Tree | string | undefined): string[] {
  if (typeof node !== 'object') return [];
  return Object.keys(node)
    .filter((key) => /^\d+$/.test(key))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => node[key])
    .filter((member): member is string => typeof member === 'string');
}

function nameValueMap(node: Tree | string | undefined, keyField: string, valueField: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const member of members(node)) {
    if (typeof member[keyField] === 'string' && typeof member[valueField] === 'string') map[member[keyField] as string] = member[valueField] as string;
  }
  return map;
}

function attributeMap(node: Tree | string | undefined): Record<string, Record<string, string>> {
  const map: Record<string, Record<string, string>> = {};
  for (const member of members(node)) {
    const value = member.Value;
    if (typeof member.Name === 'string' && typeof value === 'object') {
      map[member.Name] = Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    }
  }
  return map;
}

function convert(tree: Tree): Input {
  const input: Input = {};
  for (const [key, value] of Object.entries(tree)) {
    switch (key) {
      case 'Attribute':
        input.Attributes = nameValueMap(value, 'Name', 'Value');
        break;
      case 'Tag':
        input.tags = nameValueMap(value, 'Key', 'Value');
        break;
      case 'AttributeName':
      case 'MessageSystemAttributeName':
      case 'MessageAttributeName':
        input[`${key}s`] = scalars(value);
        break;
      case 'MessageAttribute':
      case 'MessageSystemAttribute':
        input[`${key}s`] = attributeMap(value);
        break;
      default:
        if (key.endsWith('RequestEntry')) input.Entries = members(value).map(convert);
        else if (typeof value === 'string') input[key] = value;
    }
  }
  return input;
}

export function queryInput(params: URLSearchParams): Input {
  const input = convert(toTree(params));
  delete input.Action;
  delete input.Version;
  return input;
}

/** One field of a JSON-protocol output as the Query protocol writes it: lists and maps become repeated elements. */
function field(action: string, name: string, value: unknown): XmlNode {
  switch (name) {
    case 'QueueUrls':
      return { QueueUrl: value as string[] };
    case 'Attributes':
      return { Attribute: Object.entries(value as Record<string, string>).map(([key, item]) => ({ Name: key, Value: item })) };
    case 'MessageAttributes':
      return {
        MessageAttribute: Object.entries(value as Record<string, Record<string, unknown>>).map(([key, item]) => ({ Name: key, Value: tree(action, item) })),
      };
    case 'Messages':
      return { Message: (value as Record<string, unknown>[]).map((message) => tree(action, message)) };
    case 'Successful':
      return { [`${action}ResultEntry`]: (value as Record<string, unknown>[]).map((entry) => tree(action, entry)) };
    case 'Failed':
      return { BatchResultErrorEntry: (value as Record<string, unknown>[]).map((entry) => tree(action, entry)) };
    default:
      return { [name]: String(value) };
  }
}

function tree(action: string, value: Record<string, unknown>): XmlNode {
  const node: XmlNode = {};
  for (const [name, item] of Object.entries(value)) if (item !== undefined && item !== null) Object.assign(node, field(action, name, item));
  return node;
}

/** The Query-protocol document for an operation's JSON-protocol output. */
export function queryResponse(action: string, output: Record<string, unknown>, requestId: string): string {
  return queryDocument('sqs', action, tree(action, output), requestId);
}

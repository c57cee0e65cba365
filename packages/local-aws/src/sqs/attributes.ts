import { AwsError } from '../errors.js';
import { validatePolicy } from '../iam/validate.js';
import type { PolicyDocument } from '../types.js';

/** The attributes a queue can be created or updated with, and their AWS defaults. */
const defaults: Record<string, string> = {
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

const integerRanges: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

/** Accepted and reported back, with no behaviour behind them here (data at rest is local). */
const storedOnly = new Set(['KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled', 'RedriveAllowPolicy']);

/** Computed attributes GetQueueAttributes can return. */
export const readOnlyAttributes = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

export const settableAttributes = [...Object.keys(integerRanges), 'Policy', 'RedrivePolicy', ...storedOnly];

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** A queue's attributes with the defaults filled in and the JSON ones decoded. */
export interface EffectiveAttributes {
  values: Record<string, string>;
  delaySeconds: number;
  maximumMessageSize: number;
  retentionSeconds: number;
  waitTimeSeconds: number;
  visibilityTimeout: number;
  redrive?: RedrivePolicy;
  policy?: PolicyDocument;
}

function invalid(name: string, why: string): AwsError {
  return new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: ${why}`);
}

function parseRedrive(text: string): RedrivePolicy {
  let parsed: Partial<{ deadLetterTargetArn: unknown; maxReceiveCount: unknown }>;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  }
  const count = Number(parsed.maxReceiveCount);
  if (typeof parsed.deadLetterTargetArn !== 'string' || !/^arn:aws:sqs:[^:]*:\d{12}:[\w-]{1,80}$/.test(parsed.deadLetterTargetArn)) {
    throw invalid('RedrivePolicy', 'Dead-letter target ARN is missing or invalid.');
  }
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw invalid('RedrivePolicy', 'maxReceiveCount must be 1..1000.');
  return { deadLetterTargetArn: parsed.deadLetterTargetArn, maxReceiveCount: count };
}

/**
 * Checks attributes sent to CreateQueue/SetQueueAttributes and returns them
 * normalised (JSON values re-serialised so equal policies compare equal).
 */
export function validateAttributes(attributes: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(attributes)) {
    const value = String(raw);
    if (name === 'FifoQueue' || name === 'ContentBasedDeduplication' || name === 'DeduplicationScope' || name === 'FifoThroughputLimit') {
      throw new AwsError('InvalidAttributeName', 'FIFO queues are not supported by this endpoint.');
    }
    if (!settableAttributes.includes(name)) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    const range = integerRanges[name];
    if (range) {
      const number = Number(value);
      if (!/^\d+$/.test(value) || number < range[0] || number > range[1]) {
        throw invalid(name, `Must be an integer from ${range[0]} to ${range[1]}.`);
      }
      result[name] = String(number);
    } else if (name === 'RedrivePolicy') {
      result[name] = value === '' ? '' : JSON.stringify(parseRedrive(value));
    } else if (name === 'Policy') {
      result[name] = value === '' ? '' : JSON.stringify(parseQueuePolicy(value));
    } else {
      result[name] = value;
    }
  }
  return result;
}

function parseQueuePolicy(text: string): PolicyDocument {
  try {
    return validatePolicy(JSON.parse(text), 'MalformedPolicy', 'resource');
  } catch (error) {
    throw invalid('Policy', error instanceof Error ? error.message : 'Invalid policy');
  }
}

export function effectiveAttributes(stored: Record<string, string>): EffectiveAttributes {
  const values = { ...defaults, ...stored };
  // An empty string clears a JSON attribute, as in AWS.
  for (const name of ['Policy', 'RedrivePolicy', 'RedriveAllowPolicy']) if (values[name] === '') delete values[name];
  return {
    values,
    delaySeconds: Number(values.DelaySeconds),
    maximumMessageSize: Number(values.MaximumMessageSize),
    retentionSeconds: Number(values.MessageRetentionPeriod),
    waitTimeSeconds: Number(values.ReceiveMessageWaitTimeSeconds),
    visibilityTimeout: Number(values.VisibilityTimeout),
    redrive: values.RedrivePolicy ? (JSON.parse(values.RedrivePolicy) as RedrivePolicy) : undefined,
    policy: values.Policy ? (JSON.parse(values.Policy) as PolicyDocument) : undefined,
  };
}

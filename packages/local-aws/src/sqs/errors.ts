import type { AwsErrorCode } from '../errors.js';

/**
 * The legacy Query-protocol code of each SQS error. The JSON protocol sends
 * `x-amzn-query-error: <legacy>;Sender` beside `__type`, and the Query
 * protocol puts the legacy code in `<Code>`; codes absent here are the same
 * in both protocols.
 */
export const sqsLegacyCodes: Partial<Record<AwsErrorCode, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  PurgeQueueInProgress: 'AWS.SimpleQueueService.PurgeQueueInProgress',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
};

/** `x-amzn-query-error` value for an SQS error code. */
export function sqsQueryErrorHeader(code: AwsErrorCode, status: number): string {
  return `${sqsLegacyCodes[code] ?? code};${status >= 500 ? 'Receiver' : 'Sender'}`;
}

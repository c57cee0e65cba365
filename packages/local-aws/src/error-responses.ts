import type { AwsError } from './errors.js';
import type { AwsResponse } from './types.js';
import { xmlDocument } from './xml.js';

/**
 * An AwsError as each protocol answers it: S3 XML, the Query protocol's XML
 * (STS, SQS) and SQS's JSON protocol. The codes are the table's (errors.ts),
 * except where a protocol names them otherwise.
 */

/** Wire names that differ from the table's keys (which must be identifiers). */
function wireCode(error: AwsError): string {
  return error.code === 'KMS_NotFoundException' ? 'KMS.NotFoundException' : error.code;
}

/** S3: `<Error><Code/><Message/>…details…<RequestId/><HostId/></Error>`; HEAD responses carry no body. */
export function renderS3Error(error: AwsError, requestId: string, method: string): AwsResponse {
  if (method === 'HEAD' || error.status === 304) return { status: error.status };
  const body = xmlDocument('Error', {
    Code: wireCode(error),
    Message: error.message,
    ...error.details,
    RequestId: requestId,
    HostId: Buffer.from(requestId).toString('base64'),
  });
  return { status: error.status, headers: { 'content-type': 'application/xml' }, body };
}

/**
 * The Query protocol's legacy SQS codes: the JSON protocol names errors by
 * shape, the Query protocol (and `x-amzn-query-error`) by these.
 */
const sqsQueryCodes: Partial<Record<string, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  PurgeQueueInProgress: 'AWS.SimpleQueueService.PurgeQueueInProgress',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  InvalidAttributeValue: 'InvalidAttributeValue',
  InvalidAccessKeyId: 'InvalidClientTokenId',
};

const faultOf = (error: AwsError) => (error.status >= 500 ? 'Receiver' : 'Sender');

/** STS and SQS Query protocol: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function renderQueryError(error: AwsError, requestId: string, service: 'sts' | 'sqs' | 'iam'): AwsResponse {
  const code = service === 'sqs' ? (sqsQueryCodes[error.code] ?? wireCode(error)) : error.code === 'InvalidAccessKeyId' ? 'InvalidClientTokenId' : wireCode(error);
  const body = xmlDocument('ErrorResponse', { Error: { Type: faultOf(error), Code: code, Message: error.message }, RequestId: requestId });
  return { status: error.status, headers: { 'content-type': 'text/xml' }, body };
}

/** SQS JSON protocol: `{"__type":"com.amazonaws.sqs#Code","message":…}` plus the Query code in `x-amzn-query-error`. */
export function renderSqsJsonError(error: AwsError, requestId: string): AwsResponse {
  const code = error.code === 'InvalidAccessKeyId' ? 'InvalidClientTokenId' : wireCode(error);
  const queryCode = sqsQueryCodes[error.code] ?? code;
  return {
    status: error.status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': `${queryCode};${faultOf(error)}`,
      'x-amzn-requestid': requestId,
    },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message: error.message }),
  };
}

/** Codes shared with the other services, as KMS names them. */
const kmsCodes: Partial<Record<string, string>> = {
  AccessDenied: 'AccessDeniedException',
  ValidationError: 'ValidationException',
  KMS_NotFoundException: 'NotFoundException',
  InvalidAccessKeyId: 'UnrecognizedClientException',
  InvalidToken: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  ExpiredToken: 'ExpiredTokenException',
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
};

/** KMS (JSON 1.1): `{"__type":"Code","message":…}`, the code also in `x-amzn-errortype`. */
export function renderKmsError(error: AwsError, requestId: string): AwsResponse {
  const code = kmsCodes[error.code] ?? wireCode(error);
  return {
    status: error.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
    body: JSON.stringify({ __type: code, message: error.message }),
  };
}

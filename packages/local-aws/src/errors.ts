/**
 * Errors of the embedded endpoint, named and numbered as AWS names them on the
 * wire. Handlers throw `AwsError`; the HTTP binding renders it in the protocol
 * of the service (S3 XML, STS/SQS Query XML, SQS JSON).
 */
export const awsErrors = {
  // Authentication (all services)
  AccessDenied: { status: 403, message: 'Access Denied' },
  InvalidAccessKeyId: { status: 403, message: 'The AWS Access Key Id you provided does not exist in our records.' },
  SignatureDoesNotMatch: {
    status: 403,
    message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  },
  ExpiredToken: { status: 400, message: 'The provided token has expired.' },
  InvalidToken: { status: 400, message: 'The provided token is malformed or otherwise invalid.' },
  RequestTimeTooSkewed: { status: 403, message: 'The difference between the request time and the current time is too large.' },
  AuthorizationHeaderMalformed: { status: 400, message: 'The authorization header is malformed.' },
  MissingSecurityHeader: { status: 400, message: 'Your request was missing a required header.' },
  // S3
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist' },
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
  NoSuchUpload: { status: 404, message: 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.' },
  NoSuchBucketPolicy: { status: 404, message: 'The bucket policy does not exist' },
  NoSuchCORSConfiguration: { status: 404, message: 'The CORS configuration does not exist' },
  NoSuchLifecycleConfiguration: { status: 404, message: 'The lifecycle configuration does not exist' },
  NoSuchPublicAccessBlockConfiguration: { status: 404, message: 'The public access block configuration was not found' },
  ServerSideEncryptionConfigurationNotFoundError: { status: 404, message: 'The server side encryption configuration was not found' },
  BucketAlreadyOwnedByYou: { status: 409, message: 'Your previous request to create the named bucket succeeded and you already own it.' },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty' },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  KeyTooLongError: { status: 400, message: 'Your key is too long' },
  InvalidArgument: { status: 400, message: 'Invalid Argument' },
  InvalidRequest: { status: 400, message: 'Invalid Request' },
  InvalidPart: { status: 400, message: 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.' },
  InvalidPartOrder: { status: 400, message: 'The list of parts was not in ascending order. Parts must be ordered by part number.' },
  EntityTooSmall: { status: 400, message: 'Your proposed upload is smaller than the minimum allowed object size.' },
  EntityTooLarge: { status: 400, message: 'Your proposed upload exceeds the maximum allowed object size.' },
  XAmzContentSHA256Mismatch: { status: 400, message: "The provided 'x-amz-content-sha256' header does not match what was computed." },
  InvalidChunkSizeError: { status: 403, message: 'Only the last chunk is allowed to have a size less than 8192 bytes' },
  IncompleteSignature: { status: 400, message: 'The request signature does not conform to AWS standards.' },
  MissingAuthenticationToken: { status: 403, message: 'Request is missing Authentication Token' },
  BadDigest: { status: 400, message: 'The Content-MD5 or checksum value you specified did not match what we received.' },
  InvalidDigest: { status: 400, message: 'The Content-MD5 or checksum value you specified is not valid.' },
  IncompleteBody: { status: 400, message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.' },
  MissingContentLength: { status: 411, message: 'You must provide the Content-Length HTTP header.' },
  MalformedXML: { status: 400, message: 'The XML you provided was not well-formed or did not validate against our published schema.' },
  MalformedPolicy: { status: 400, message: 'Policies must be valid JSON and the first byte must be \'{\'' },
  InvalidRange: { status: 416, message: 'The requested range is not satisfiable' },
  PreconditionFailed: { status: 412, message: 'At least one of the pre-conditions you specified did not hold' },
  NotModified: { status: 304, message: 'Not Modified' },
  InvalidEncryptionAlgorithmError: { status: 400, message: 'The encryption request you specified is not valid.' },
  KMS_NotFoundException: { status: 400, message: 'Invalid keyId' },
  MethodNotAllowed: { status: 405, message: 'The specified method is not allowed against this resource.' },
  NotImplemented: { status: 501, message: 'A header you provided implies functionality that is not implemented.' },
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  // STS / IAM
  ValidationError: { status: 400, message: 'Validation error' },
  MalformedPolicyDocument: { status: 400, message: 'The policy document is malformed.' },
  PackedPolicyTooLarge: { status: 400, message: 'The packed policy is too large.' },
  NoSuchEntity: { status: 404, message: 'The role does not exist.' },
  EntityAlreadyExists: { status: 409, message: 'The entity already exists.' },
  DeleteConflict: { status: 409, message: 'Cannot delete entity, must remove its dependents first.' },
  LimitExceeded: { status: 409, message: 'A limit was exceeded.' },
  InvalidInput: { status: 400, message: 'The input is not valid.' },
  // KMS (JSON protocol, named by shape)
  NotFoundException: { status: 400, message: 'The key or alias does not exist.' },
  AlreadyExistsException: { status: 400, message: 'The resource already exists.' },
  MalformedPolicyDocumentException: { status: 400, message: 'The key policy is malformed.' },
  AccessDeniedException: { status: 400, message: 'The caller is not authorized to perform this operation.' },
  InvalidCiphertextException: { status: 400, message: 'The ciphertext is not valid, or was not made with this key and encryption context.' },
  IncorrectKeyException: { status: 400, message: 'The ciphertext was encrypted under another key.' },
  InvalidAliasNameException: { status: 400, message: 'The alias name is not valid.' },
  ValidationException: { status: 400, message: 'The input fails to satisfy the constraints.' },
  UnsupportedOperationException: { status: 400, message: 'This operation is not supported by this endpoint.' },
  UnknownOperationException: { status: 400, message: 'The operation is not known to this service.' },
  // SQS (JSON protocol names; the Query protocol uses the legacy AWS.SimpleQueueService.* codes)
  QueueDoesNotExist: { status: 400, message: 'The specified queue does not exist.' },
  QueueNameExists: { status: 400, message: 'A queue already exists with the same name and a different value for an attribute.' },
  // 404 and 403 below: the statuses @aws-sdk/client-sqs expects for these codes.
  ReceiptHandleIsInvalid: { status: 404, message: 'The specified receipt handle isn\'t valid.' },
  InvalidParameterValue: { status: 400, message: 'A parameter value is not valid.' },
  MissingParameter: { status: 400, message: 'A required parameter is missing.' },
  InvalidAction: { status: 400, message: 'The action or operation requested is invalid.' },
  UnsupportedOperation: { status: 400, message: 'Unsupported operation.' },
  InvalidAttributeName: { status: 400, message: 'The specified attribute doesn\'t exist.' },
  TooManyEntriesInBatchRequest: { status: 400, message: 'The batch request contains more entries than permissible.' },
  EmptyBatchRequest: { status: 400, message: 'The batch request doesn\'t contain any entries.' },
  BatchEntryIdsNotDistinct: { status: 400, message: 'Two or more batch entries in the request have the same Id.' },
  InvalidBatchEntryId: { status: 400, message: 'The Id of a batch entry in a batch request doesn\'t abide by the specification.' },
  MessageTooLong: { status: 400, message: 'The message is too long.' },
  InvalidMessageContents: { status: 400, message: 'The message contains characters outside the allowed set.' },
  PurgeQueueInProgress: { status: 403, message: 'Only one PurgeQueue operation on a queue is allowed every 60 seconds.' },
  MalformedQueryString: { status: 400, message: 'The query string is malformed.' },
  MessageNotInflight: { status: 400, message: 'The specified message isn\'t in flight.' },
  BatchRequestTooLong: { status: 400, message: 'The length of all the messages put together is more than the limit.' },
  InvalidAttributeValue: { status: 400, message: 'A queue attribute value is invalid.' },
  SerializationException: { status: 400, message: 'The request body could not be parsed.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type AwsErrorCode = keyof typeof awsErrors;

export class AwsError extends Error {
  readonly status: number;
  /** Extra elements rendered inside `<Error>` (S3), e.g. `{ Key: 'a' }`. */
  readonly details: Record<string, string>;

  constructor(
    readonly code: AwsErrorCode,
    message?: string,
    details: Record<string, string> = {},
  ) {
    super(message ?? awsErrors[code].message);
    this.name = 'AwsError';
    this.status = awsErrors[code].status;
    this.details = details;
  }
}

export function isAwsError(error: unknown): error is AwsError {
  return error instanceof AwsError;
}

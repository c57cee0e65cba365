import { S3ServiceException } from '@aws-sdk/client-s3';

/** The error an AWS request failed with (its `name` is the AWS error code); fails the test when the request succeeded. */
export async function errorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as S3ServiceException;
  }
  throw new Error('expected the request to fail');
}

/** The AWS error code and HTTP status an S3 request failed with; fails the test when it succeeded or failed with anything but an S3 error. */
export async function awsRefusal(promise: Promise<unknown>): Promise<{ code: string; status?: number }> {
  const error = await errorOf(promise);
  if (!(error instanceof S3ServiceException)) throw error;
  return { code: error.name, status: error.$metadata.httpStatusCode };
}

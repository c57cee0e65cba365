import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FileRecord } from '../files/model.js';
import { vaultKeyOf } from '../files/model.js';
import type { OutboundEvents } from './outbox-relay.js';

/** The JSON body of a file-events message: back ends parse it, so it is public contract like the GraphQL schema. */
export function fileEventMessage(file: FileRecord, vaultBucket: string) {
  const type = file.status === 'AVAILABLE' ? 'FileAvailable' : 'FileFailed';
  return {
    type,
    fileId: file.id,
    owner: file.owner,
    name: file.name,
    size: file.size,
    contentType: file.contentType,
    metadata: file.metadata,
    bucket: vaultBucket,
    key: vaultKeyOf(file.id),
    checksum: file.checksum,
    ...(type === 'FileAvailable' ? { availableAt: file.availableAt?.toISOString() } : { failureReason: file.failureReason }),
  };
}

export function createFileEventsQueue(sqs: SQSClient, queueName: string, vaultBucket: string): OutboundEvents {
  let queueUrl: Promise<string> | undefined;
  const url = () =>
    (queueUrl ??= sqs.send(new GetQueueUrlCommand({ QueueName: queueName })).then((r) => {
      if (!r.QueueUrl) throw new Error(`queue ${queueName} has no URL`);
      return r.QueueUrl;
    }));
  return {
    async announce(file) {
      const message = fileEventMessage(file, vaultBucket);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: await url(),
          MessageBody: JSON.stringify(message),
          MessageAttributes: { eventType: { DataType: 'String', StringValue: message.type } },
        }),
      );
    },
  };
}

import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { canonicalPolicy, sortKeys } from '../canonical.js';
import type { Item, LiveContext } from '../context.js';
import { desiredState, type DesiredState, type QueueSpec } from '../desired.js';
import { ProvisionError } from '../errors.js';
import type { Json } from '../values.js';

const REF_OF = { 'dead-letter': 'deadLetterQueueArn', 'dock-events': 'dockEventsQueueArn', 'file-events': 'fileEventsQueueArn' } as const;

/** SQS attributes are strings on the wire; compare them as numbers and decoded JSON. */
function comparable(name: string, value: Json | string | undefined): Json | undefined {
  if (value === undefined || value === '') return undefined;
  if (name === 'Policy') return canonicalPolicy(typeof value === 'string' ? JSON.parse(value) : value);
  if (name === 'RedrivePolicy') {
    const redrive = (typeof value === 'string' ? JSON.parse(value) : value) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
    return { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount) };
  }
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
}

const wire = (value: Json) => (typeof value === 'object' ? JSON.stringify(value) : String(value));

/** A queue and the attributes LFS sets on it (visibility, redrive to the dead-letter queue, who may send). */
export function queueItem(which: QueueSpec['which']) {
  return (state: DesiredState, context: LiveContext): Item => {
    const spec = state.queues.find((queue) => queue.which === which)!;
    const { sqs } = context.clients;
    const label = `the ${which} queue ${spec.name}`;
    const names = Object.keys(spec.attributes);
    const desired = sortKeys(Object.fromEntries(names.map((name) => [name, comparable(name, spec.attributes[name])]))) as Json;
    const found = (url: string, arn: string) => {
      context.queueUrls.set(which, url);
      context.refs[REF_OF[which]] = arn;
    };
    return {
      id: `sqs:${which}`,
      label,
      service: 'sqs',
      desired,
      async read() {
        const located = await context.lookup('sqs:GetQueueUrl', label, ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'], () =>
          sqs.send(new GetQueueUrlCommand({ QueueName: spec.name })),
        );
        if (!located?.QueueUrl) return undefined;
        const { Attributes = {} } = await context.call('sqs:GetQueueAttributes', label, () =>
          sqs.send(new GetQueueAttributesCommand({ QueueUrl: located.QueueUrl, AttributeNames: ['All'] })),
        );
        if (Attributes.FifoQueue === 'true') throw new ProvisionError('CONFLICT', `${label} is a FIFO queue`, 'LFS needs a standard queue: delete it or choose another name');
        if (Attributes.QueueArn) found(located.QueueUrl, Attributes.QueueArn);
        return sortKeys(Object.fromEntries(names.map((name) => [name, comparable(name, (Attributes as Record<string, string | undefined>)[name])]))) as Json;
      },
      async apply(actual) {
        let url = context.queueUrls.get(which);
        if (actual === undefined) {
          // Attributes are set afterwards: CreateQueue refuses a name that exists with other attributes.
          const created = await context.call('sqs:CreateQueue', label, () => sqs.send(new CreateQueueCommand({ QueueName: spec.name })));
          url = created.QueueUrl!;
          const { Attributes = {} } = await context.call('sqs:GetQueueAttributes', label, () =>
            sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })),
          );
          found(url, Attributes.QueueArn!);
        }
        if (names.length === 0) return;
        // Re-built now that the queue's real ARN is known: a new queue's policy names the queue itself.
        const current = desiredState(context.config, context.refs, context.target).queues.find((queue) => queue.which === which)!;
        const attributes = Object.fromEntries(names.map((name) => [name, wire(current.attributes[name]!)]));
        await context.call('sqs:SetQueueAttributes', label, () => sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes })));
      },
    };
  };
}

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../config";
import { policyDocument, renderPolicy } from "./iamDocument";

export interface DeadLetterQueuesArgs {
  /** Stack settings: the name prefix. */
  readonly settings: Settings;
  /** ARN of the customer-managed key every queue is encrypted with. */
  readonly kmsKeyArn: pulumi.Input<string>;
}

/** Kept as long as SQS allows, so a dead letter outlives a long weekend. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export type DeadLetterQueueName = "replies" | "async" | "schedule";

/** Every data-plane action on a queue; refused without TLS (listed, not "sqs:*", so the list is reviewable). */
export const QUEUE_DATA_ACTIONS = [
  "sqs:SendMessage",
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibility",
  "sqs:GetQueueAttributes",
  "sqs:PurgeQueue",
] as const;

/**
 * The stack's dead-letter queues, KMS-encrypted and kept 14 days:
 *  - replies: outbound replies the functions could not deliver to a platform (BOTFLEET_DLQ_URL);
 *  - async: events of failed asynchronous invocations (the scheduled export and outbox), put there by Lambda;
 *  - schedule: schedule runs EventBridge Scheduler could not deliver to the export or outbox function.
 * An alarm fires on each as soon as one message is visible (alarms.ts). Each queue's policy refuses
 * any request that does not use TLS; who may send is decided by the senders' IAM roles.
 */
export class DeadLetterQueues extends pulumi.ComponentResource {
  readonly queues: Readonly<Record<DeadLetterQueueName, aws.sqs.Queue>>;

  constructor(name: string, args: DeadLetterQueuesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:DeadLetterQueues", name, {}, opts);
    const queue = (kind: DeadLetterQueueName) => {
      const created = new aws.sqs.Queue(
        `${name}-${kind}`,
        {
          name: `${args.settings.prefix}-${kind}-dlq`,
          kmsMasterKeyId: args.kmsKeyArn,
          kmsDataKeyReusePeriodSeconds: 300,
          messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
        },
        { parent: this },
      );
      new aws.sqs.QueuePolicy(
        `${name}-${kind}-policy`,
        {
          queueUrl: created.url,
          policy: created.arn.apply((arn) =>
            renderPolicy(
              policyDocument([
                {
                  Sid: "DenyInsecureTransport",
                  Effect: "Deny",
                  Principal: { AWS: "*" },
                  Action: [...QUEUE_DATA_ACTIONS],
                  Resource: [arn],
                  Condition: { Bool: { "aws:SecureTransport": false } },
                },
              ]),
            ),
          ),
        },
        { parent: this },
      );
      return created;
    };
    this.queues = { replies: queue("replies"), async: queue("async"), schedule: queue("schedule") };
    this.registerOutputs(Object.fromEntries(Object.entries(this.queues).map(([kind, q]) => [kind, q.arn])));
  }
}

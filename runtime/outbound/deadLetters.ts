import type { SQSClient } from "@aws-sdk/client-sqs";
import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE } from "../adapters/tableSchema";
import { type ReplyIntent } from "./replyIntent";

/** Where a reply that could not be delivered goes, so an operator can inspect and re-drive it. */
export interface DeadLetters {
  send(intent: ReplyIntent, reason: string, now: number): Promise<void>;
}

/**
 * The dead letter carries the intent (the queue is KMS-encrypted) and a short reason code. A
 * follow-up's credential (Discord interaction token, Slack response_url) is left out: it would let
 * anyone reading the queue post as the bot into that conversation while it lasts.
 */
function deadLetter(intent: ReplyIntent, reason: string, now: number) {
  return { kind: "outbound-reply", intent: withoutCredential(intent), reason, failedAt: new Date(now).toISOString() };
}

function withoutCredential(intent: ReplyIntent): ReplyIntent {
  const { target } = intent;
  if (target.platform === "discord_followup") return { ...intent, target: { ...target, token: "redacted" } };
  if (target.platform === "slack_response") return { ...intent, target: { ...target, responseUrl: "https://redacted.invalid/" } };
  return intent;
}

/**
 * Deployed: SQS SendMessage to BOTFLEET_DLQ_URL (needs sqs:SendMessage on that queue). The SQS
 * client is loaded with the first dead letter (its own bundle chunk): no cold start pays for it.
 */
export class SqsDeadLetters implements DeadLetters {
  private client: Promise<SQSClient> | undefined;

  constructor(
    private readonly sqs: SQSClient | (() => Promise<SQSClient>),
    private readonly queueUrl: string,
  ) {}

  async send(intent: ReplyIntent, reason: string, now: number): Promise<void> {
    const [{ SendMessageCommand }, sqs] = await Promise.all([import("@aws-sdk/client-sqs"), this.sqsClient()]);
    await sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(deadLetter(intent, reason, now)) }));
  }

  private sqsClient(): Promise<SQSClient> {
    const { sqs } = this;
    this.client ??= typeof sqs === "function" ? sqs() : Promise.resolve(sqs);
    return this.client;
  }
}

/**
 * Local mode only: there is no SQS here, so dead letters become store items
 * (pk DEADLETTER#REPLY#<replyId>). Same content as the SQS message; nothing else is mocked.
 */
export class StoreDeadLetters implements DeadLetters {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async send(intent: ReplyIntent, reason: string, now: number): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { [TABLE.partitionKey]: `DEADLETTER#REPLY#${intent.replyId}`, [TABLE.sortKey]: "DEADLETTER", ...deadLetter(intent, reason, now) },
      }),
    );
  }
}

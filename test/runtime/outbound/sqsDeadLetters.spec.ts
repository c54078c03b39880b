import { strict as assert } from "node:assert";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SqsDeadLetters } from "../../../runtime/outbound/deadLetters";
import { startSqsStandIn, type SqsStandIn } from "../../support/sqsStandIn";

describe("SQS dead letters (deployed mode)", () => {
  let sqs: SqsStandIn;
  before(async () => {
    sqs = await startSqsStandIn();
  });
  after(() => sqs.stop());

  it("sends the reply intent and the reason to the DLQ through the SQS SDK", async () => {
    const queueUrl = "https://sqs.eu-west-1.amazonaws.com/123456789012/botfleet-replies-dlq";
    const client = new SQSClient({ endpoint: sqs.endpoint, region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
    const intent = { replyId: "reply-abcdef12", ticketId: "t1", target: { platform: "telegram" as const, chatId: "42" }, text: "hello" };
    await new SqsDeadLetters(client, queueUrl).send(intent, "http_500", Date.parse("2026-11-22T06:00:00Z"));
    assert.equal(sqs.messages.length, 1);
    assert.equal(sqs.messages[0]?.queueUrl, queueUrl);
    assert.deepEqual(JSON.parse(sqs.messages[0]?.body ?? "{}"), { kind: "outbound-reply", intent, reason: "http_500", failedAt: "2026-11-22T06:00:00.000Z" });
    client.destroy();
  });
});

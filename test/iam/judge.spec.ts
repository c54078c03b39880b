import { strict as assert } from "node:assert";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { ACCESS } from "../../infra/aws/access";
import { describeGcsRequest, describeSdkCommand, type RecordedCall } from "./cloudCalls";
import { judgeHandler } from "./judge";

const call = (handler: string, c: Omit<RecordedCall, "handler" | "count">, count = 1): RecordedCall => ({ handler, count, ...c });

describe("least-privilege judge (what the recorded calls are compared with)", () => {
  it("maps SDK commands to IAM actions with the table, index, partition keys and queue", () => {
    assert.deepEqual(describeSdkCommand("DynamoDBDocumentClient", new GetCommand({ TableName: "t", Key: { pk: "USER#telegram#1", sk: "STATE" } })), {
      service: "dynamodb",
      action: "dynamodb:GetItem",
      resource: "table",
      leadingKeys: ["USER#telegram#1"],
    });
    assert.deepEqual(describeSdkCommand("DynamoDBDocumentClient", new QueryCommand({ TableName: "t", IndexName: "gsi3", KeyConditionExpression: "gsi3pk = :o" })), {
      service: "dynamodb",
      action: "dynamodb:Query",
      resource: "index/gsi3",
      leadingKeys: [],
    });
    const query = describeSdkCommand("DynamoDBDocumentClient", new QueryCommand({ TableName: "t", KeyConditionExpression: "#p = :pk", ExpressionAttributeNames: { "#p": "pk" }, ExpressionAttributeValues: { ":pk": "TICKET#x" } }));
    assert.deepEqual(query?.leadingKeys, ["TICKET#x"]);
    assert.equal(describeSdkCommand("SQSClient", new SendMessageCommand({ QueueUrl: "q", MessageBody: "b" }))?.action, "sqs:SendMessage");
  });

  it("maps GCS JSON-API requests to storage permissions", () => {
    assert.equal(describeGcsRequest("POST", "/upload/storage/v1/b/arch/o?uploadType=multipart&name=exports%2Fdt%3D2026-11-01%2Fa.ndjson.gz")?.action, "storage.objects.create");
    assert.equal(describeGcsRequest("GET", "/storage/v1/b/arch/o/exports%2Fa?alt=media")?.action, "storage.objects.get");
    assert.equal(describeGcsRequest("GET", "/download/storage/v1/b/arch/o/exports%2Fa")?.action, "storage.objects.get");
    assert.equal(describeGcsRequest("PATCH", "/storage/v1/b/arch/o/exports%2Fa")?.action, "storage.objects.update");
    assert.equal(describeGcsRequest("DELETE", "/storage/v1/b/arch/o/exports%2Fa")?.action, "storage.objects.delete");
    assert.equal(describeGcsRequest("GET", "/storage/v1/b/arch/o?prefix=exports%2F")?.action, "storage.objects.list");
    assert.equal(describeGcsRequest("GET", "/storage/v1/b/arch")?.action, "storage.buckets.get");
    assert.equal(describeGcsRequest("POST", "/"), undefined);
  });

  it("flags a call outside the declaration: another platform's user, an ungranted index, a foreign secret, GCS from a webhook", () => {
    const judged = judgeHandler("telegram", [
      call("telegram", { service: "dynamodb", action: "dynamodb:GetItem", resource: "table", leadingKeys: ["USER#slack#U1"] }),
      call("telegram", { service: "dynamodb", action: "dynamodb:Query", resource: "index/gsi2", leadingKeys: [] }),
      call("telegram", { service: "dynamodb", action: "dynamodb:DeleteItem", resource: "table", leadingKeys: ["TICKET#1"] }),
      call("telegram", { service: "secretsmanager", action: "secretsmanager:GetSecretValue", resource: "secret/slack", leadingKeys: [] }),
      call("telegram", { service: "gcs", action: "storage.objects.get", resource: "bucket/arch/exports", leadingKeys: [] }),
      call("telegram", { service: "dynamodb", action: "dynamodb:GetItem", resource: "table", leadingKeys: ["USER#telegram#1"] }),
    ]);
    assert.deepEqual(
      judged.notGranted.map((r) => r.action).sort(),
      ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query", "secretsmanager:GetSecretValue", "storage.objects.get"],
    );
    assert.ok(judged.rows.some((r) => r.granted && r.action === "dynamodb:GetItem" && r.resource.includes("USER#telegram#")));
  });

  it("flags grants nothing exercised, and exempts only what the Lambda service uses itself", () => {
    const telegram = judgeHandler("telegram", [call("telegram", { service: "dynamodb", action: "dynamodb:GetItem", resource: "table", leadingKeys: ["USER#telegram#1"] })]);
    assert.ok(telegram.unexercised.some((r) => r.action === "dynamodb:PutItem"));
    assert.ok(!telegram.unexercised.some((r) => r.action === "dynamodb:GetItem"));
    assert.equal(ACCESS.export.invokedAsync, true);
    const exported = judgeHandler("export", []);
    assert.ok(exported.rows.some((r) => r.action === "sqs:SendMessage" && r.note !== undefined), "the async DLQ grant is listed with its reason");
    assert.ok(!exported.unexercised.some((r) => r.action === "sqs:SendMessage"));
    assert.ok(exported.unexercised.some((r) => r.action === "storage.objects.create"));
  });

  it("judges a local dead-letter store item as the replies queue's SendMessage it stands for", () => {
    const deadLetter = (handler: string) => call(handler, { service: "dynamodb", action: "dynamodb:PutItem", resource: "table", leadingKeys: ["DEADLETTER#REPLY#r1"] });
    assert.equal(ACCESS.api.deadLettersReplies, true);
    const api = judgeHandler("api", [deadLetter("api")]);
    assert.ok(!api.unexercised.some((r) => r.action === "sqs:SendMessage"));
    assert.ok(api.rows.some((r) => r.action === "sqs:SendMessage" && r.granted && r.used === 1));
    assert.equal(ACCESS.telegram.deadLettersReplies, false);
    assert.deepEqual(judgeHandler("telegram", [deadLetter("telegram")]).notGranted.map((r) => r.action), ["sqs:SendMessage"]);
  });
});

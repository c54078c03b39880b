import { strict as assert } from "node:assert";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { ACCESS } from "../../infra/aws/access";
import { keyPolicy } from "../../infra/aws/keyPolicies";
import { describeFederationRequest, describeGcsRequest, describeSdkCommand, type RecordedCall } from "./cloudCalls";
import { conditionAdmits, judgeHandler } from "./judge";
import { ACCOUNT, KEY, QUEUE, REGION, SECRET, syntheticWorld } from "./syntheticWorld";

const world = syntheticWorld();

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
    assert.equal(describeSdkCommand("SQSClient", new SendMessageCommand({ QueueUrl: "q", MessageBody: "b" }))?.resource, "queue/q", "a URL that is not SQS's stays what it was");
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

  it("records the deployed-only paths at their real ARNs: a queue URL as its ARN, a secret by ARN, the federation calls", () => {
    const url = "https://sqs.eu-west-1.amazonaws.com/111111111111/botfleet-dev-replies-dlq";
    assert.equal(describeSdkCommand("SQSClient", new SendMessageCommand({ QueueUrl: url, MessageBody: "b" }))?.resource, "arn:aws:sqs:eu-west-1:111111111111:botfleet-dev-replies-dlq");
    assert.equal(describeSdkCommand("SecretsManagerClient", new GetSecretValueCommand({ SecretId: SECRET("slack") }))?.resource, SECRET("slack"));
    const exchange = describeFederationRequest("POST", "/v1/token", new URLSearchParams({ audience: "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x" }).toString());
    assert.deepEqual([exchange?.action, exchange?.resource], ["sts.googleapis.com/token", "projects/1/locations/global/workloadIdentityPools/p/providers/x"]);
    const token = describeFederationRequest("POST", "/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken", "{}");
    assert.deepEqual([token?.action, token?.resource], ["iam.serviceAccounts.getAccessToken", "sa@p.iam.gserviceaccount.com"]);
  });

  it("lets the engine evaluate dynamodb:LeadingKeys: a call outside the leading keys is refused", async () => {
    const judged = await judgeHandler(world, "telegram", [
      call("telegram", { service: "dynamodb", action: "dynamodb:GetItem", resource: "table", leadingKeys: ["USER#slack#U1"] }),
      call("telegram", { service: "dynamodb", action: "dynamodb:GetItem", resource: "table", leadingKeys: ["USER#telegram#1"] }),
      // One key inside, one outside: ForAllValues needs every key to match.
      call("telegram", { service: "dynamodb", action: "dynamodb:UpdateItem", resource: "table", leadingKeys: ["USER#telegram#1", "EXPORT#1"] }),
    ]);
    assert.deepEqual(
      judged.notGranted.map((r) => `${r.action} ${r.resource}`),
      ["dynamodb:GetItem table/botfleet-dev-table keys USER#slack#…", "dynamodb:UpdateItem table/botfleet-dev-table keys USER#telegram#…,EXPORT#…"],
    );
    assert.ok(judged.rows.some((r) => r.granted && r.action === "dynamodb:GetItem" && r.resource.includes("USER#telegram#")));
  });

  it("flags a call outside the declaration: an ungranted index, a foreign secret, GCS from a webhook, an unknown service", async () => {
    const judged = await judgeHandler(world, "telegram", [
      call("telegram", { service: "dynamodb", action: "dynamodb:Query", resource: "index/gsi2", leadingKeys: [] }),
      call("telegram", { service: "dynamodb", action: "dynamodb:DeleteItem", resource: "table", leadingKeys: ["TICKET#1"] }),
      call("telegram", { service: "secretsmanager", action: "secretsmanager:GetSecretValue", resource: "secret/slack", leadingKeys: [] }),
      call("telegram", { service: "gcs", action: "storage.objects.get", resource: "bucket/arch/exports", leadingKeys: [] }),
      call("telegram", { service: "other", action: "S3Client:GetObject", resource: "*", leadingKeys: [] }),
    ]);
    // (The secrets key through Secrets Manager is granted on its own: the secret's ARN decides.)
    assert.deepEqual(judged.notGranted.map((r) => r.action).sort(), ["S3Client:GetObject", "dynamodb:DeleteItem", "dynamodb:Query", "secretsmanager:GetSecretValue", "storage.objects.get"]);
  });

  it("judges KMS through the service a call goes to, against the key policy as well as the role's policy", async () => {
    const sendsDeadLetter = call("api", { service: "sqs", action: "sqs:SendMessage", resource: QUEUE("replies"), leadingKeys: [] });
    const granted = await judgeHandler(world, "api", [sendsDeadLetter]);
    assert.deepEqual(
      granted.rows.filter((r) => r.action.startsWith("kms:") && r.resource.endsWith("via sqs")).map((r) => [r.action, r.granted]),
      [["kms:Decrypt", true], ["kms:GenerateDataKey", true]],
    );
    // The data key's policy without SQS among its services: the role's grant alone is not enough.
    const dataKey = keyPolicy("data", { accountId: ACCOUNT, region: REGION, prefix: "botfleet-dev" });
    const withoutSqs = {
      ...dataKey,
      Statement: dataKey.Statement.map((s) =>
        s.Condition?.StringEquals?.["kms:ViaService"] !== undefined && s.Principal?.AWS !== undefined
          ? { ...s, Condition: { ...s.Condition, StringEquals: { ...s.Condition.StringEquals, "kms:ViaService": [`dynamodb.${REGION}.amazonaws.com`, `lambda.${REGION}.amazonaws.com`] } } }
          : s,
      ),
    };
    const refused = await judgeHandler(syntheticWorld({ keyPolicies: { data: withoutSqs } }), "api", [sendsDeadLetter]);
    assert.deepEqual(refused.notGranted.map((r) => `${r.action} ${r.resource}`), ["kms:Decrypt key/data via sqs", "kms:GenerateDataKey key/data via sqs"]);
    assert.ok(!refused.notGranted.some((r) => r.action === "sqs:SendMessage"), "the queue itself is still granted");
  });

  it("refuses a KMS use the role's policy does not grant: the data key through Secrets Manager", async () => {
    // The webhooks' policy grants the secrets key through Secrets Manager and the data key through
    // DynamoDB and Lambda only: a secret encrypted with the data key could not be read.
    const judged = await judgeHandler(world, "telegram", [call("telegram", { service: "secretsmanager", action: "secretsmanager:GetSecretValue", resource: "secret/telegram", leadingKeys: [] })]);
    assert.ok(judged.rows.some((r) => r.action === "kms:Decrypt" && r.resource === "key/secrets via secretsmanager" && r.granted));
    const dataEncrypted = { ...world, secrets: new Map([...world.secrets].map(([name, s]) => [name, { ...s, keyArn: KEY("data") }])) };
    const refused = await judgeHandler(dataEncrypted, "telegram", [call("telegram", { service: "secretsmanager", action: "secretsmanager:GetSecretValue", resource: "secret/telegram", leadingKeys: [] })]);
    assert.deepEqual(refused.notGranted.map((r) => `${r.action} ${r.resource}`), ["kms:Decrypt key/data via secretsmanager"]);
  });

  it("flags grants nothing exercised, and counts what Lambda does with the role (environment key, async DLQ) as used by the service", async () => {
    const telegram = await judgeHandler(world, "telegram", [call("telegram", { service: "dynamodb", action: "dynamodb:GetItem", resource: "table", leadingKeys: ["USER#telegram#1"] })]);
    assert.ok(telegram.unexercised.some((r) => r.action === "dynamodb:PutItem"), "an unused grant is a finding");
    assert.ok(telegram.unexercised.some((r) => r.action === "secretsmanager:GetSecretValue"));
    assert.ok(!telegram.unexercised.some((r) => r.action === "dynamodb:GetItem"));
    assert.ok(!telegram.unexercised.some((r) => r.action === "kms:Decrypt" && r.resource.endsWith("via lambda")), "the environment is decrypted by every invoked function");
    assert.equal(ACCESS.export.invokedAsync, true);
    const exported = await judgeHandler(world, "export", []);
    assert.ok(exported.rows.some((r) => r.action === "sqs:SendMessage" && r.granted && r.note !== undefined), "the async DLQ grant is listed with its reason");
    assert.ok(!exported.unexercised.some((r) => r.action === "sqs:SendMessage"));
    assert.ok(exported.unexercised.some((r) => r.action === "storage.objects.create"));
    assert.ok(exported.unexercised.some((r) => r.action === "sts.googleapis.com/token"), "the federation grants must be exercised too");
  });

  it("judges the GCS path against the archive's bindings: token exchange, impersonation, then the bucket role", async () => {
    const federation = (handler: string, serviceAccount: string) => [
      call(handler, { service: "gcp", action: "sts.googleapis.com/token", resource: "projects/100000000001/locations/global/workloadIdentityPools/botfleet-dev-aws/providers/export-aws", leadingKeys: [] }),
      call(handler, { service: "gcp", action: "iam.serviceAccounts.getAccessToken", resource: serviceAccount, leadingKeys: [] }),
    ];
    const api = await judgeHandler(world, "api", [
      ...federation("api", "botfleet-dev-archive-reader@botfleet-dev-project.iam.gserviceaccount.com"),
      call("api", { service: "gcs", action: "storage.objects.get", resource: "bucket/b/exports", leadingKeys: [] }),
      call("api", { service: "gcs", action: "storage.objects.create", resource: "bucket/b/exports", leadingKeys: [] }),
    ]);
    assert.deepEqual(api.notGranted.map((r) => r.action), ["storage.objects.create"]);
    // The api role asking for the writer's token: no workloadIdentityUser binding admits it.
    const escalates = await judgeHandler(world, "api", federation("api", "botfleet-dev-export@botfleet-dev-project.iam.gserviceaccount.com"));
    assert.deepEqual(escalates.notGranted.map((r) => r.action), ["iam.serviceAccounts.getAccessToken"]);
    assert.equal(conditionAdmits('attribute.aws_role == "a" || attribute.aws_role == "b"', "b"), true);
    assert.equal(conditionAdmits('attribute.aws_role == "a" || true', "a"), false, "a condition it cannot read is refused");
  });

  it("judges a local dead-letter store item as the replies queue's SendMessage it stands for", async () => {
    const deadLetter = (handler: string) => call(handler, { service: "dynamodb", action: "dynamodb:PutItem", resource: "table", leadingKeys: ["DEADLETTER#REPLY#r1"] });
    assert.equal(ACCESS.api.deadLettersReplies, true);
    const api = await judgeHandler(world, "api", [deadLetter("api")]);
    assert.ok(!api.unexercised.some((r) => r.action === "sqs:SendMessage"));
    assert.ok(api.rows.some((r) => r.action === "sqs:SendMessage" && r.granted && r.used === 1));
    assert.equal(ACCESS.telegram.deadLettersReplies, false);
    assert.deepEqual((await judgeHandler(world, "telegram", [deadLetter("telegram")])).notGranted.map((r) => r.action), ["kms:Decrypt", "kms:GenerateDataKey", "sqs:SendMessage"]);
  });
});

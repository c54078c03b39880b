/**
 * The paths only a deployed function takes, run as deployed — with the environment the program
 * renders for each function (dev stack, under mocks) — inside the call recorder, so the
 * least-privilege check judges them at their real ARNs and addresses:
 * - the export entry point (runtime/handlers/export.ts `handler`) end to end: DynamoDB (embedded
 *   dynalite), then GCS through the federation the function's credential configuration names
 *   (Google STS token exchange, IAM Credentials generateAccessToken) into the local GCS JSON-API server;
 * - GetSecretValue by the ARNs in each function's BOTFLEET_SECRET_ARNS;
 * - SQS SendMessage to the replies dead-letter queue at the URL the program gives api and outbox.
 * Secrets Manager, SQS and Google's token services are loopback stand-ins built from their
 * documented responses (test/support): no local server of those control planes exists. Public
 * hostnames are redirected to them in-process (test/support/cloud/egress.ts); nothing leaves the machine.
 */
import { strict as assert } from "node:assert";
import { Storage } from "@google-cloud/storage";
import { readArchiveSettings } from "../../runtime/adapters/archiveSettings";
import { createDocumentClient } from "../../runtime/adapters/dynamo";
import { lazyArchive } from "../../runtime/api/archiveAccess";
import { runAsHandler } from "../../runtime/adapters/cloudCalls";
import { entryDepsFromEnv } from "../../runtime/app/deps";
import { ENV, type SecretName } from "../../runtime/env";
import { handler as exportHandler } from "../../runtime/handlers/export";
import { deadLettersFor, readOutboundSettings } from "../../runtime/outbound/wiring";
import { startGcsServer, type GcsServer } from "../../tools/local/gcsServer";
import { runProgram } from "../../tools/program/runUnderMocks";
import { startDynalite, type LocalDynamo } from "../runtime/support/dynalite";
import { redirectHttps } from "../support/cloud/egress";
import { startGoogleFederationStandIn } from "../support/cloud/googleFederation";
import { startSecretsManagerStandIn } from "../support/cloud/secretsManager";
import type { StandIn } from "../support/cloud/standInServer";
import { seedTickets } from "../support/seedTickets";
import { startSqsStandIn, type SqsStandIn } from "../support/sqsStandIn";
import { type IamWorld, worldFromProgram } from "./iamWorld";

/** Valid secret values (runtime/adapters/secrets.ts SECRET_FIELDS), obviously fake. */
const SECRET_VALUES: Record<SecretName, object> = {
  telegram: { webhookSecret: "tg-secret", botToken: "123:fake" },
  discord: { publicKey: "a".repeat(64), applicationId: "123456", botToken: "fake" },
  slack: { signingSecret: "fake", botToken: "xoxb-fake" },
  meta: { appSecret: "fake", verifyToken: "fake", accessToken: "fake" },
  origin: { value: "fake-origin-verify-value" },
};

describe("deployed-only paths, run as deployed at the program's real ARNs (recorded for the least-privilege check)", () => {
  let world: IamWorld;
  let dynamo: LocalDynamo;
  let gcs: GcsServer;
  let federation: StandIn;
  let secrets: StandIn;
  let sqs: SqsStandIn;
  let undoEgress: () => void;
  const savedEnv = { ...process.env };

  before(async function () {
    this.timeout(120_000);
    const run = await runProgram("dev", { lean: true });
    world = worldFromProgram(run.resources, run.settings.aws.accountId, run.settings.aws.region, run.settings.prefix);
    const secretValues = new Map([...world.secrets].map(([name, s]) => [s.arn, JSON.stringify(SECRET_VALUES[name as SecretName])]));
    [dynamo, gcs, federation, secrets, sqs] = await Promise.all([startDynalite(), startGcsServer(), startGoogleFederationStandIn(), startSecretsManagerStandIn(secretValues), startSqsStandIn()]);
    undoEgress = redirectHttps({
      "sts.googleapis.com": federation.endpoint,
      "iamcredentials.googleapis.com": federation.endpoint,
      "storage.googleapis.com": gcs.endpoint,
      // @aws-sdk/client-sqs sends to the host of the QueueUrl it is given (the program's).
      [`sqs.${world.region}.amazonaws.com`]: sqs.endpoint,
    });
    // What Lambda gives every function (its role's temporary credentials, the region), and the
    // SDK's documented service-specific endpoint variables pointing at the local servers.
    Object.assign(process.env, {
      AWS_REGION: world.region,
      AWS_ACCESS_KEY_ID: "ASIAEXAMPLEEXAMPLE00",
      AWS_SECRET_ACCESS_KEY: "example-secret-access-key",
      AWS_SESSION_TOKEN: "example-session-token",
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    });
  });

  after(async () => {
    undoEgress?.();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    await Promise.all([gcs?.stop(), federation?.stop(), secrets?.stop(), sqs?.stop(), dynamo?.close()]);
  });

  const identity = (handler: string) => {
    const found = [...world.handlers.values()].find((h) => h.handler === handler);
    assert.ok(found, `the program deploys ${handler}`);
    return found;
  };

  it("export: the deployed entry point writes a day's export to GCS through STS and IAM Credentials", async () => {
    const exporter = identity("export");
    assert.ok(exporter.gcp, "the export function has a federated identity");
    const table = exporter.environment[ENV.tableName] as string;
    await dynamo.createTable(table);
    await seedTickets(dynamo.client, table, { day: "2026-10-01", tickets: 2, messagesPerTicket: 1 });
    Object.assign(process.env, exporter.environment);
    const summary = await exportHandler({ kind: "daily", day: "2026-10-01" });
    assert.deepEqual(summary.exports.map((e) => e.status), ["done"]);
    const exchange = federation.requests.find((r) => r.path === "/v1/token");
    assert.equal(new URLSearchParams(exchange?.body).get("audience"), `//iam.googleapis.com/${exporter.gcp.audience}`, "the provider the program created");
    assert.ok(federation.requests.some((r) => r.path.includes(`/serviceAccounts/${exporter.gcp?.serviceAccount}:generateAccessToken`)));
  });

  it("api: an admin's download reads the export through the reader identity the program gives the api function", async () => {
    const api = identity("api");
    assert.ok(api.gcp, "the api function has a federated (read-only) identity");
    const settings = readArchiveSettings(api.environment, "deployed");
    const [files] = await new Storage({ apiEndpoint: gcs.endpoint, projectId: "botfleet-local" }).bucket(settings.bucket).getFiles({ prefix: "exports/" });
    const [file] = files;
    assert.ok(file, "the export wrote an object");
    const bytes = await runAsHandler("api", async () => {
      const reader = await lazyArchive(settings).open();
      const chunks: Buffer[] = [];
      for await (const chunk of reader.openRead(file.name, String(file.metadata.generation))) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
    assert.ok(bytes.length > 0);
    assert.ok(federation.requests.some((r) => r.path.includes(`/serviceAccounts/${api.gcp?.serviceAccount}:generateAccessToken`)), "impersonates the reader, not the writer");
  });

  it("secrets: each function reads exactly the secret ARNs its environment names, through Secrets Manager", async () => {
    for (const fn of [...world.handlers.values()].filter((h) => h.environment[ENV.secretArns] !== undefined)) {
      const arns = JSON.parse(fn.environment[ENV.secretArns] ?? "{}") as Record<SecretName, string>;
      const deps = entryDepsFromEnv({ ...fn.environment, AWS_REGION: world.region });
      await runAsHandler(fn.handler, async () => {
        for (const name of Object.keys(arns) as SecretName[]) assert.ok(await deps.secrets.get(name));
      });
    }
    const asked = new Set(secrets.requests.map((r) => (JSON.parse(r.body) as { SecretId: string }).SecretId));
    assert.deepEqual([...asked].sort(), [...new Set([...world.handlers.values()].flatMap((fn) => Object.values(JSON.parse(fn.environment[ENV.secretArns] ?? "{}") as Record<string, string>)))].sort());
  });

  it("dead letters: api and outbox send undeliverable replies to the queue URL the program gives them", async () => {
    const senders = [...world.handlers.values()].filter((fn) => fn.environment[ENV.deadLetterQueueUrl] !== undefined);
    assert.deepEqual(senders.map((fn) => fn.handler).sort(), ["api", "outbox"]);
    const documents = createDocumentClient({ endpoint: dynamo.endpoint });
    for (const fn of senders) {
      await runAsHandler(fn.handler, async () => {
        const deadLetters = await deadLettersFor(readOutboundSettings(fn.environment, "deployed"), documents, "unused");
        await deadLetters.send({ replyId: `reply-${fn.handler}`, ticketId: "t1", target: { platform: "telegram", chatId: "42" }, text: "hello" }, "http_500", Date.now());
      });
    }
    assert.deepEqual(sqs.messages.map((m) => m.queueUrl), senders.map((fn) => fn.environment[ENV.deadLetterQueueUrl]));
  });
});

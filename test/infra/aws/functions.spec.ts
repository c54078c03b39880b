import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS } from "../../../infra/aws/access";
import { BUNDLE_FILE, bundleEntry } from "../../../infra/aws/bundle";
import { EXPORT_TIMEOUT_SECONDS, OUTBOX_TIMEOUT_SECONDS } from "../../../infra/aws/function";
import { existingHandlers, handlerEntry } from "../../../infra/aws/handlers";
import { DEAD_LETTER_RETENTION_SECONDS, QUEUE_DATA_ACTIONS } from "../../../infra/aws/queues";
import { ENV, SECRET_NAMES } from "../../../runtime/env";
import { HANDLERS } from "../../../runtime/routes";
import { ARCHIVE_SIG, ASSET_SIG, SIG_KEY } from "../../../tools/gate/engineEncoding";
import { withAssetHashes } from "../../../tools/program/assetHashes";
import { type ProgramRun, runProgram } from "../../../tools/program/runUnderMocks";
import { STACKS, stackRun, arnPrefix, one, ofType, policyOf } from "./resources";

const KNOWN_ENV = new Set<string>(Object.values(ENV));
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

for (const stack of STACKS) {
  describe(`aws lambda functions: ${stack} stack`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await stackRun(stack);
    });

    it("deploys one function per handler file that exists, and none for a missing one", () => {
      const deployed = ofType(run, "aws:lambda/function:Function").map((f) => String(f.inputs.name));
      assert.deepEqual(deployed.sort(), existingHandlers().map((h) => `${run.settings.prefix}-${h}`).sort());
      assert.deepEqual(run.outputs.functionNames, Object.fromEntries(existingHandlers().map((h) => [h, `${run.settings.prefix}-${h}`])));
      for (const missing of HANDLERS.filter((h) => !existingHandlers().includes(h))) {
        assert.ok(!run.resources.some((r) => r.name.startsWith(`backend-${missing}-`)), `nothing for ${missing}`);
      }
    });

    it("keeps dead letters encrypted for 14 days and refuses them without TLS", () => {
      const queues = ofType(run, "aws:sqs/queue:Queue");
      assert.deepEqual(queues.map((q) => q.inputs.name).sort(), ["async", "replies", "schedule"].map((k) => `${run.settings.prefix}-${k}-dlq`));
      for (const queue of queues) {
        assert.equal(queue.inputs.kmsMasterKeyId, `${arnPrefix(run, "kms")}:key/backend-keys-data-id`);
        assert.equal(queue.inputs.messageRetentionSeconds, DEAD_LETTER_RETENTION_SECONDS);
        const policy = policyOf(one(run, "aws:sqs/queuePolicy:QueuePolicy", `${queue.name}-policy`).inputs.policy);
        assert.deepEqual(
          policy.Statement.map((s) => [s.Effect, s.Resource, s.Condition]),
          [["Deny", [`${arnPrefix(run, "sqs")}:${String(queue.inputs.name)}`], { Bool: { "aws:SecureTransport": false } }]],
        );
        assert.deepEqual(policy.Statement[0]?.Action, [...QUEUE_DATA_ACTIONS]);
      }
    });

    for (const handler of existingHandlers()) {
      describe(`${handler}`, () => {
        const fn = Object.assign(() => one(run, "aws:lambda/function:Function", `backend-${handler}-function`).inputs, {
          wire: () => one(run, "aws:lambda/function:Function", `backend-${handler}-function`).wireInputs as Record<string, unknown>,
        });
        const env = () => (fn().environment as { variables: Record<string, string> }).variables;

        it("runs the bundle of its entry on nodejs22.x arm64 with settings' memory, timeout and concurrency", async () => {
          const inputs = fn();
          assert.equal(inputs.runtime, "nodejs22.x");
          assert.deepEqual(inputs.architectures, ["arm64"]);
          assert.equal(inputs.handler, "index.handler");
          assert.equal(inputs.memorySize, run.settings.functions.memoryMb);
          const scheduled: Partial<Record<string, number>> = { export: EXPORT_TIMEOUT_SECONDS, outbox: OUTBOX_TIMEOUT_SECONDS };
          assert.equal(inputs.timeout, scheduled[handler] ?? run.settings.functions.timeoutSeconds);
          // No reservation unless the stack opts in: a new account's quota (10) leaves none to reserve.
          assert.equal(run.settings.functions.reservedConcurrency, undefined);
          assert.equal("reservedConcurrentExecutions" in inputs, false);
          const archive = inputs.code as pulumi.asset.AssetArchive;
          const assets = await archive.assets;
          const bundle = bundleEntry(handlerEntry(handler));
          assert.deepEqual(Object.keys(assets).sort(), Object.keys(bundle.files).sort(), "the entry, its split chunks and their maps");
          for (const [name, text] of Object.entries(bundle.files)) {
            const asset = assets[name];
            assert.ok(asset instanceof pulumi.asset.FileAsset, `${name} is a file in the archive, not its text`);
            assert.equal(sha256(fs.readFileSync(await asset.path, "utf8")), sha256(text), `the archive holds the handler's ${name}`);
          }
          assert.ok(assets[BUNDLE_FILE] !== undefined);
        });

        it("reaches the engine as an archive hashed like the same files given as text: moving the bundle to files is no diff", () => {
          const wire = fn.wire().code as { hash?: string; assets: Record<string, { hash?: string; path?: string; text?: string }> };
          const bundle = bundleEntry(handlerEntry(handler));
          const asText = { [SIG_KEY]: ARCHIVE_SIG, assets: Object.fromEntries(Object.entries(bundle.files).map(([name, text]) => [name, { [SIG_KEY]: ASSET_SIG, text }])) };
          assert.match(wire.hash ?? "", /^[0-9a-f]{64}$/, "the engine hashes the archive at registration");
          assert.equal(wire.hash, (withAssetHashes(asText, process.cwd()) as { hash?: string }).hash);
          for (const [name, asset] of Object.entries(wire.assets)) {
            assert.equal(asset.text, undefined, `${name}: a path, not its text`);
            assert.equal(asset.hash, sha256(bundle.files[name] ?? ""), name);
          }
        });

        it("encrypts its environment with the data key, traces with X-Ray, logs JSON to its own group", () => {
          const inputs = fn();
          assert.equal(inputs.kmsKeyArn, `${arnPrefix(run, "kms")}:key/backend-keys-data-id`);
          assert.deepEqual(inputs.tracingConfig, { mode: "Active" });
          const logging = inputs.loggingConfig as { logFormat: string; logGroup: string };
          assert.equal(logging.logFormat, "JSON");
          assert.equal(logging.logGroup, `/aws/lambda/${run.settings.prefix}-${handler}`);
          const group = one(run, "aws:cloudwatch/logGroup:LogGroup", `backend-${handler}-logs`).inputs;
          assert.equal(group.name, logging.logGroup);
          assert.equal(group.retentionInDays, run.settings.logs.retentionDays);
          assert.equal(group.kmsKeyId, `${arnPrefix(run, "kms")}:key/backend-keys-logs-id`);
        });

        it("dead-letters failed asynchronous invocations when it is invoked asynchronously", () => {
          const dlq = fn().deadLetterConfig as { targetArn: string } | undefined;
          if (ACCESS[handler].invokedAsync) {
            assert.equal(dlq?.targetArn, `${arnPrefix(run, "sqs")}:${run.settings.prefix}-async-dlq`);
            const config = one(run, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", `backend-${handler}-async`).inputs;
            assert.equal(config.functionName, `${run.settings.prefix}-${handler}`);
          } else {
            assert.equal(dlq, undefined);
          }
        });

        it("is told only about the secrets, queue and archive its declaration grants", () => {
          const access = ACCESS[handler];
          const variables = env();
          for (const name of Object.keys(variables)) assert.ok(KNOWN_ENV.has(name), `${name} is named in runtime/env.ts`);
          assert.equal(variables[ENV.mode], "deployed");
          assert.equal(variables[ENV.tableName], run.outputs.tableName);
          assert.equal(variables[ENV.botRateLimitCapacity], String(run.settings.bot.rateLimitCapacity));
          assert.equal(variables[ENV.dedupeTtlHours], String(run.settings.bot.dedupeTtlHours));
          const all = run.outputs.secretArns as unknown as Record<string, string>;
          const secretArns = variables[ENV.secretArns] === undefined ? {} : (JSON.parse(variables[ENV.secretArns] ?? "{}") as Record<string, string>);
          assert.deepEqual(secretArns, Object.fromEntries(access.secrets.map((s) => [s, all[s]])));
          assert.ok(access.secrets.every((s) => (SECRET_NAMES as readonly string[]).includes(s)));
          assert.equal(variables[ENV.deadLetterQueueUrl] !== undefined, access.deadLettersReplies);
          if (access.deadLettersReplies) assert.match(variables[ENV.deadLetterQueueUrl] ?? "", /\/botfleet-(dev|prod)-replies-dlq$/);
          assert.equal(variables[ENV.archiveBucket] !== undefined, access.archive !== false);
          assert.equal(variables[ENV.gcpCredentials] !== undefined, access.archive !== false);
          if (access.archive !== false) {
            // Each archive level impersonates its own service account (writer for export, reader for api).
            const config = JSON.parse(variables[ENV.gcpCredentials] ?? "{}") as { service_account_impersonation_url: string };
            const account = access.archive === "write" ? `botfleet-${stack}-export@` : `botfleet-${stack}-archive-reader@`;
            assert.ok(config.service_account_impersonation_url.includes(account), `${handler} impersonates ${account}`);
          }
          assert.equal(variables[ENV.authIssuer] !== undefined, access.verifiesAgentTokens);
          if (access.verifiesAgentTokens) {
            assert.equal(variables[ENV.authIssuer], run.settings.auth.issuer);
            assert.equal(variables[ENV.authAudience], run.settings.auth.audience);
            assert.equal(variables[ENV.authJwksUrl], run.settings.auth.jwksUrl);
            assert.equal(variables[ENV.authRolesClaim], run.settings.auth.rolesClaim);
          }
          assert.equal(variables[ENV.whatsappPhoneNumberId], access.sendsFromWhatsappNumber ? run.settings.whatsappPhoneNumberId : undefined);
        });
      });
    }
  });
}

describe("aws functions: reserved concurrency when a stack opts in", () => {
  it("reserves the stated amount on every function once the stated quota leaves 100 unreserved", async () => {
    const perFunction = 5;
    const quota = String(perFunction * existingHandlers().length + 100);
    const run = await runProgram("dev", { lean: true, overrides: { "botfleet:lambdaReservedConcurrency": String(perFunction), "botfleet:awsLambdaConcurrencyQuota": quota } });
    const functions = run.resources.filter((r) => r.type === "aws:lambda/function:Function");
    assert.equal(functions.length, existingHandlers().length);
    for (const fn of functions) assert.equal(fn.inputs.reservedConcurrentExecutions, perFunction, fn.name);
  });
});

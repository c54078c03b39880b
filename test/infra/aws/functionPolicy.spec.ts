import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { type HandlerAccess, STAR_ONLY_ACTIONS, type TableAction } from "../../../infra/aws/access";
import { functionEnvironment } from "../../../infra/aws/environment";
import { type PolicyRefs, functionPolicy } from "../../../infra/aws/functionPolicy";
import { existingHandlers } from "../../../infra/aws/handlers";
import { INDEX_NAMES, type IndexName } from "../../../infra/aws/table";
import { parseSettings, type Settings } from "../../../infra/config";
import { ENV, SECRET_NAMES, type SecretName } from "../../../runtime/env";
import { readStackConfigWithSecrets } from "../../../tools/program/stackConfig";
import { resourcesOf } from "./resources";

const TABLE_ACTIONS: TableAction[] = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"];

const refs: PolicyRefs = {
  region: "eu-west-1",
  logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f",
  tableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/t",
  secretArns: Object.fromEntries(SECRET_NAMES.map((n) => [n, `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${n}-x`])) as Record<SecretName, string>,
  dataKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/data",
  secretsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/secrets",
  repliesDeadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:replies",
  asyncDeadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:async",
  outboxFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:botfleet-dev-outbox",
};

const declaration: fc.Arbitrary<HandlerAccess> = fc.record({
  table: fc.subarray(TABLE_ACTIONS),
  indexes: fc.subarray(INDEX_NAMES as IndexName[]),
  leadingKeys: fc.oneof(
    fc.record({ patterns: fc.array(fc.stringMatching(/^[A-Z]{2,8}#\*$/), { minLength: 1, maxLength: 3 }) }),
    fc.record({ unrestricted: fc.constant("reason") }),
  ),
  secrets: fc.subarray([...SECRET_NAMES]),
  deadLettersReplies: fc.boolean(),
  invokedAsync: fc.boolean(),
  invokesOutbox: fc.boolean(),
  archive: fc.constantFrom(false as const, "write" as const, "read" as const),
  verifiesAgentTokens: fc.boolean(),
  sendsFromWhatsappNumber: fc.boolean(),
});

describe("aws function policy generation (any declaration)", () => {
  it("never grants a wildcard action, and \"*\" only for STAR_ONLY_ACTIONS", () => {
    fc.assert(
      fc.property(declaration, (access) => {
        for (const statement of functionPolicy(access, refs).Statement) {
          assert.ok(statement.Action.every((a) => !a.includes("*")));
          if (statement.Resource === "*") assert.deepEqual(statement.Action, [...STAR_ONLY_ACTIONS]);
        }
      }),
    );
  });

  it("names only the ARNs it was given, and KMS only through a service", () => {
    const known = new Set([
      `${refs.logGroupArn}:*`,
      refs.tableArn,
      ...INDEX_NAMES.map((i) => `${refs.tableArn}/index/${i}`),
      ...Object.values(refs.secretArns),
      refs.dataKeyArn,
      refs.secretsKeyArn,
      refs.repliesDeadLetterQueueArn,
      refs.asyncDeadLetterQueueArn,
      refs.outboxFunctionArn,
      "*",
    ]);
    fc.assert(
      fc.property(declaration, (access) => {
        for (const statement of functionPolicy(access, refs).Statement) {
          for (const resource of resourcesOf(statement)) assert.ok(known.has(resource), resource);
          if (statement.Action.some((a) => a.startsWith("kms:"))) assert.ok(statement.Condition?.StringEquals?.["kms:ViaService"]);
        }
      }),
    );
  });

  it("grants secrets, indexes and queues exactly when declared", () => {
    fc.assert(
      fc.property(declaration, (access) => {
        const statements = functionPolicy(access, refs).Statement;
        const granted = (action: string) => statements.filter((s) => s.Action.includes(action)).flatMap(resourcesOf);
        assert.deepEqual(granted("secretsmanager:GetSecretValue").sort(), access.secrets.map((s) => refs.secretArns[s]).sort());
        const queries = granted("dynamodb:Query").filter((r) => r.includes("/index/"));
        assert.deepEqual(queries.sort(), access.indexes.map((i) => `${refs.tableArn}/index/${i}`).sort());
        const queues = granted("sqs:SendMessage");
        assert.equal(queues.includes(refs.repliesDeadLetterQueueArn), access.deadLettersReplies);
        assert.equal(queues.includes(refs.asyncDeadLetterQueueArn), access.invokedAsync);
        assert.deepEqual(granted("lambda:InvokeFunction"), access.invokesOutbox ? [refs.outboxFunctionArn] : [], "only the outbox, only when declared");
        const { outboxFunctionArn: _arn, ...withoutOutbox } = refs;
        assert.ok(!functionPolicy(access, withoutOutbox).Statement.some((s) => s.Action.includes("lambda:InvokeFunction")), "no outbox deployed, no grant");
      }),
    );
  });
});

describe("aws function environment (any declaration)", () => {
  let settings: Settings;
  before(() => {
    const config = readStackConfigWithSecrets("dev").values;
    settings = parseSettings("dev", config, []);
  });

  it("lists only the declared secrets and carries archive/auth settings only when declared", () => {
    const envRefs = {
      tableName: "t",
      secretArns: refs.secretArns,
      repliesDeadLetterQueueUrl: "https://sqs/replies",
      archiveBucket: "b",
      gcpCredentials: { write: '{"sa":"writer"}', read: '{"sa":"reader"}' },
    };
    fc.assert(
      fc.property(declaration, (access) => {
        const env = functionEnvironment(access, settings, envRefs);
        const listed = env[ENV.secretArns] === undefined ? [] : Object.keys(JSON.parse(env[ENV.secretArns] ?? "{}") as object);
        assert.deepEqual(listed, [...access.secrets]);
        assert.equal(ENV.archiveBucket in env, access.archive !== false);
        assert.equal(env[ENV.gcpCredentials], access.archive === false ? undefined : envRefs.gcpCredentials[access.archive]);
        assert.equal(ENV.authIssuer in env, access.verifiesAgentTokens);
        assert.equal(ENV.deadLetterQueueUrl in env, access.deadLettersReplies);
        assert.equal(env[ENV.mode], "deployed");
        assert.equal(ENV.whatsappPhoneNumberId in env, false, "the stack sets no WhatsApp number");
        assert.equal(ENV.outboxFunction in env, false, "no outbox name given");
        assert.equal(functionEnvironment(access, settings, { ...envRefs, outboxFunctionName: "botfleet-dev-outbox" })[ENV.outboxFunction], access.invokesOutbox ? "botfleet-dev-outbox" : undefined);
      }),
    );
  });

  it("carries the WhatsApp phone number id only to a function that sends from it, only when the stack sets one", () => {
    const envRefs = { tableName: "t", secretArns: refs.secretArns, repliesDeadLetterQueueUrl: "https://sqs/replies", archiveBucket: "b", gcpCredentials: { write: "{}", read: "{}" } };
    const withNumber = { ...settings, whatsappPhoneNumberId: "106540352242922" };
    fc.assert(
      fc.property(declaration, (access) => {
        const env = functionEnvironment(access, withNumber, envRefs);
        assert.equal(env[ENV.whatsappPhoneNumberId], access.sendsFromWhatsappNumber ? "106540352242922" : undefined);
      }),
    );
  });
});

describe("aws handler discovery", () => {
  it("finds exactly the handler files present, in route-table order", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-handlers-"));
    try {
      assert.deepEqual(existingHandlers(root), []);
      fs.mkdirSync(path.join(root, "runtime", "handlers"), { recursive: true });
      for (const name of ["export", "health", "unknown"]) fs.writeFileSync(path.join(root, "runtime", "handlers", `${name}.ts`), "");
      assert.deepEqual(existingHandlers(root), ["health", "export"]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

import { strict as assert } from "node:assert";
import { KEY_ADMIN_ACTIONS, KEY_PURPOSES, keyPolicy } from "../../../infra/aws/keyPolicies";
import type { ProgramRun } from "../../../tools/program/runUnderMocks";
import { STACKS, stackRun, ofType, policyOf } from "./resources";

for (const stack of STACKS) {
  describe(`aws kms keys: ${stack} stack`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await stackRun(stack);
    });

    it("creates one symmetric customer-managed key per purpose, rotation on, 30-day deletion window", () => {
      const keys = ofType(run, "aws:kms/key:Key");
      assert.deepEqual(keys.map((k) => k.name).sort(), KEY_PURPOSES.map((p) => `backend-keys-${p}`).sort());
      for (const key of keys) {
        assert.equal(key.inputs.enableKeyRotation, true, key.name);
        assert.equal(key.inputs.customerMasterKeySpec, "SYMMETRIC_DEFAULT", key.name);
        assert.equal(key.inputs.deletionWindowInDays, 30, key.name);
      }
    });

    it("grants only this account's root and the services that use each key", () => {
      const root = `arn:aws:iam::${run.settings.aws.accountId}:root`;
      for (const key of ofType(run, "aws:kms/key:Key")) {
        const principals = policyOf(key.inputs.policy).Statement.map((s) => JSON.stringify(s.Principal));
        const purpose = key.name.replace("backend-keys-", "");
        const expected = new Set([JSON.stringify({ AWS: root })]);
        if (purpose === "logs") expected.add(JSON.stringify({ Service: `logs.${run.settings.aws.region}.amazonaws.com` }));
        if (purpose === "data") expected.add(JSON.stringify({ Service: "cloudwatch.amazonaws.com" }));
        assert.deepEqual(new Set(principals), expected, key.name);
      }
    });

    it("lets CloudWatch Logs use the logs key only for this stack's log groups (encryption context)", () => {
      const logs = ofType(run, "aws:kms/key:Key").find((k) => k.name === "backend-keys-logs");
      assert.ok(logs);
      const statement = policyOf(logs.inputs.policy).Statement.find((s) => s.Principal?.Service !== undefined);
      assert.ok(statement?.Condition);
      const patterns = statement.Condition.ArnLike?.["kms:EncryptionContext:aws:logs:arn"] as string[];
      const base = `arn:aws:logs:${run.settings.aws.region}:${run.settings.aws.accountId}:log-group:`;
      assert.deepEqual(patterns, [`${base}/aws/lambda/${run.settings.prefix}-*`, `${base}/aws/apigateway/${run.settings.prefix}-*`]);
    });

    it("names every key with an alias of the stack", () => {
      const aliases = ofType(run, "aws:kms/alias:Alias").map((a) => a.inputs.name);
      assert.deepEqual(aliases.sort(), KEY_PURPOSES.map((p) => `alias/${run.settings.prefix}-${p}`).sort());
    });
  });
}

describe("aws key policies", () => {
  const ctx = { accountId: "123456789012", region: "eu-west-1", prefix: "botfleet-dev" };

  it("never lets anyone disable rotation, and never grants kms:*", () => {
    for (const purpose of KEY_PURPOSES) {
      const actions = keyPolicy(purpose, ctx).Statement.flatMap((s) => s.Action);
      assert.ok(!actions.includes("kms:DisableKeyRotation"), purpose);
      // The one wildcard is AWS's own, in the key policy it documents for alarms to an encrypted topic.
      assert.deepEqual(actions.filter((a) => a.endsWith("*")), purpose === "data" ? ["kms:GenerateDataKey*"] : [], purpose);
    }
    assert.ok(!(KEY_ADMIN_ACTIONS as readonly string[]).includes("kms:Decrypt"), "root administers but does not decrypt directly");
  });

  it("allows the account's own cryptographic use only through the services each key serves", () => {
    const use = (purpose: (typeof KEY_PURPOSES)[number]) =>
      keyPolicy(purpose, ctx).Statement.filter((s) => s.Principal?.AWS !== undefined && s.Action.includes("kms:Decrypt"));
    const [secretsUse] = use("secrets");
    assert.deepEqual(secretsUse?.Condition?.StringEquals?.["kms:ViaService"], ["secretsmanager.eu-west-1.amazonaws.com"]);
    assert.equal(secretsUse?.Condition?.StringEquals?.["kms:CallerAccount"], ctx.accountId);
    const [dataUse] = use("data");
    assert.deepEqual(
      dataUse?.Condition?.StringEquals?.["kms:ViaService"],
      ["dynamodb", "lambda", "sqs", "sns"].map((s) => `${s}.eu-west-1.amazonaws.com`),
    );
    assert.deepEqual(use("logs"), [], "no principal of the account decrypts logs directly");
  });

  it("lets CloudWatch alarms use the data key as AWS documents for an encrypted topic: the service principal, Decrypt and GenerateDataKey*, scoped to this stack's alarms, no kms:ViaService", () => {
    const statement = keyPolicy("data", ctx).Statement.find((s) => s.Sid === "CloudWatchAlarmsPublishToEncryptedTopic");
    assert.deepEqual(statement, {
      Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": ctx.accountId },
        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:eu-west-1:${ctx.accountId}:alarm:${ctx.prefix}-*` },
      },
    });
    // kms:ViaService is only in requests a service makes on behalf of a principal of the account:
    // on a service principal's own grant it would never match, and no alarm would reach the topic.
    for (const s of keyPolicy("data", ctx).Statement.filter((x) => x.Principal?.Service !== undefined)) {
      assert.equal(JSON.stringify(s.Condition ?? {}).includes("kms:ViaService"), false, s.Sid);
    }
  });
});

import { strict as assert } from "node:assert";
import { ConfigError } from "../../infra/config";
import { type ProgramRun, runProgram } from "../../tools/program/runUnderMocks";

const PROVIDER_TYPE = /^pulumi:providers:(.+)$/;

function providersOf(run: ProgramRun) {
  return run.resources.filter((r) => PROVIDER_TYPE.test(r.type));
}

function decodeList(value: unknown): unknown[] {
  return JSON.parse(String(value)) as unknown[];
}

for (const stack of ["dev", "prod"] as const) {
  describe(`program under mocks: ${stack} stack`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram(stack);
    });

    it("evaluates with the stack's own settings", () => {
      assert.equal(run.settings.environment, stack);
      assert.equal(run.outputs.environment, stack);
      assert.equal(run.outputs.awsAccountId, run.settings.aws.accountId);
    });

    it("registers exactly one explicit provider per cloud, none of them a default provider", () => {
      const providers = providersOf(run);
      assert.deepEqual(providers.map((p) => p.type).sort(), [
        "pulumi:providers:aws",
        "pulumi:providers:cloudflare",
        "pulumi:providers:gcp",
      ]);
      for (const p of providers) assert.ok(!p.name.startsWith("default"), `${p.urn} is not a default provider`);
    });

    it("pins the aws provider to the stack's account, region and deploy role", () => {
      const aws = providersOf(run).find((p) => p.type === "pulumi:providers:aws");
      assert.ok(aws);
      assert.deepEqual(decodeList(aws.inputs.allowedAccountIds), [run.settings.aws.accountId]);
      assert.equal(aws.inputs.region, run.settings.aws.region);
      assert.deepEqual(decodeList(aws.inputs.assumeRoles), [
        { roleArn: run.settings.aws.deployRoleArn, sessionName: `botfleet-${stack}-deploy` },
      ]);
    });

    it("pins the gcp provider to the stack's project and region, impersonating the stack's deploy service account", () => {
      const gcp = providersOf(run).find((p) => p.type === "pulumi:providers:gcp");
      assert.ok(gcp);
      assert.equal(gcp.inputs.project, run.settings.gcp.project);
      assert.equal(gcp.inputs.region, run.settings.gcp.region);
      assert.equal(gcp.inputs.impersonateServiceAccount, `botfleet-deploy@${run.settings.gcp.project}.iam.gserviceaccount.com`);
      assert.equal(gcp.inputs.impersonateServiceAccount, run.settings.gcp.deployServiceAccount);
    });

    it("gives every custom resource an explicit provider of its own package", () => {
      const providerUrns = new Map(providersOf(run).map((p) => [p.urn, p.type.replace(PROVIDER_TYPE, "$1")]));
      for (const r of run.resources.filter((x) => x.custom && !PROVIDER_TYPE.test(x.type))) {
        assert.ok(r.provider, `${r.urn} has an explicit provider`);
        assert.equal(providerUrns.get(r.provider), r.type.split(":")[0], `${r.urn} uses its own package's provider`);
      }
    });
  });
}

describe("program under mocks: bad config", () => {
  it("stops before declaring any resource, naming the key", async () => {
    await assert.rejects(
      runProgram("dev", { overrides: { "botfleet:logRetentionDays": "-3" } }),
      (err: unknown) => err instanceof ConfigError && /botfleet:logRetentionDays: .*got "-3"/.test(err.message),
    );
  });

  it("refuses prod on the dev account", async () => {
    await assert.rejects(
      runProgram("prod", {
        overrides: {
          "aws:allowedAccountIds": '["111111111111"]',
          "botfleet:awsDeployRoleArn": "arn:aws:iam::111111111111:role/botfleet-deploy",
        },
      }),
      /prod must not use the dev stack's AWS account/,
    );
  });

  it("still evaluates after a failed run (runs are isolated)", async () => {
    const run = await runProgram("dev");
    assert.equal(run.settings.environment, "dev");
  });
});

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, PROJECT_DIR } from "../../infra/config";
import { type ProgramRun, runProgram } from "../../tools/program/runUnderMocks";
import { identities } from "./support/physicalNames";

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
      assert.equal(run.settings.stack, stack);
      assert.equal(run.outputs.stack, stack);
      assert.equal(run.outputs.productionGrade, stack === "prod");
      assert.equal(run.outputs.awsAccountId, run.settings.aws.accountId);
    });

    it("keeps every URN, physical name and protection the stack had when its kind came from botfleet:environment (nothing is replaced)", () => {
      // Recorded from the program before stacks became data (botfleet:environment dev|prod).
      const before = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", `identities.${stack}.json`), "utf8")) as unknown;
      assert.deepEqual(identities(run.resources), before);
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
      /aws:allowedAccountIds: a production-grade stack must not use the AWS account 111111111111 of the non-production dev stack \(Pulumi\.dev\.yaml\)/,
    );
  });

  it("still evaluates after a failed run (runs are isolated)", async () => {
    const run = await runProgram("dev");
    assert.equal(run.settings.stack, "dev");
  });
});

describe("program under mocks: a third stack, staging, added as README shows", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-staging-"));
    for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), stagingFile(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8"), "333333333333"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("builds with no code change: its own prefix, not production-grade, nothing protected", async () => {
    const run = await runProgram("staging", { projectDir: dir, lean: true });
    assert.deepEqual([run.settings.prefix, run.settings.productionGrade, run.outputs.stack], ["botfleet-staging", false, "staging"]);
    assert.ok(run.resources.every((r) => !r.protect), "nothing protected in a non-production stack");
    const names = Object.values(identities(run.resources)).flatMap((n) => [n.name, n.functionName, n.accountId].filter((v): v is string => v !== undefined));
    assert.ok(names.some((n) => n === "botfleet-staging-table"));
    assert.ok(!names.some((n) => /botfleet-(dev|prod)\b/.test(n)), "no name of another stack");
    for (const id of Object.values(identities(run.resources)).map((n) => n.accountId).filter((v): v is string => v !== undefined)) {
      assert.match(id, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, `${id} is a valid GCP service account id (6-30 characters)`);
    }
  });

  it("refuses prod when staging uses prod's AWS account, naming the key and staging's file", async () => {
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), stagingFile(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8"), "222222222222"));
    await assert.rejects(
      runProgram("prod", { projectDir: dir, lean: true }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.join("\n") === "aws:allowedAccountIds: a production-grade stack must not use the AWS account 222222222222 of the non-production staging stack (Pulumi.staging.yaml): give it one of its own",
    );
  });
});

/** Pulumi.dev.yaml turned into a staging stack on `account`, with a zone of its own (README "Add a stack"). */
function stagingFile(devFile: string, account: string): string {
  return devFile
    .replaceAll("111111111111", account)
    .replaceAll("botfleet-dev-replace-me", "botfleet-staging-replace-me")
    .replace("0000000000000000000000000000000a", "0000000000000000000000000000000c")
    .replaceAll("example.net", "example.org");
}

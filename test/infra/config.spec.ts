import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { CONFIG_KEYS, ConfigError, type OtherStack, parseSettings, PROJECT_DIR, readDevAccounts, readOtherStacks } from "../../infra/config";
import { existingHandlers } from "../../infra/aws/handlers";
import { FUNCTION_BUDGETS, TIMEOUT_MARGIN_MS } from "../../runtime/http/functionBudgets";
import { ROUTES } from "../../runtime/routes";
import { readStackConfig } from "../../tools/program/stackConfig";

const dev = readStackConfig("dev");
const prod = readStackConfig("prod");
const devAccounts = readDevAccounts(PROJECT_DIR);

function problemsOf(raw: Record<string, string | undefined>): string[] {
  try {
    parseSettings(raw, devAccounts);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return [...err.problems];
  }
  assert.fail("expected the config to be refused");
}

function problemsOfWith(raw: Record<string, string | undefined>, others: readonly OtherStack[]): string[] {
  try {
    parseSettings(raw, others);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return [...err.problems];
  }
  assert.fail("expected the config to be refused");
}

describe("stack config", () => {
  it("reads both real stack files into settings for their own accounts", () => {
    const devSettings = parseSettings(dev, devAccounts);
    const prodSettings = parseSettings(prod, devAccounts);
    assert.equal(devSettings.environment, "dev");
    assert.equal(prodSettings.environment, "prod");
    assert.notEqual(devSettings.aws.accountId, prodSettings.aws.accountId);
    assert.notEqual(devSettings.gcp.project, prodSettings.gcp.project);
    assert.equal(prodSettings.apiHostname, "api.example.com");
    assert.equal(devSettings.apiHostname, "api.example.net");
    assert.notEqual(devSettings.cloudflare.zoneId, prodSettings.cloudflare.zoneId);
    assert.deepEqual(
      [prodSettings.cloudflare.advancedCertificate, prodSettings.cloudflare.zoneWideTls, prodSettings.cloudflare.adoptForeignRules],
      [false, false, false],
      "nothing paid, zone-wide or overwriting by default",
    );
    assert.equal(devSettings.logs.retentionDays, 14, "stack value overrides the Pulumi.yaml default");
    assert.equal(prodSettings.bot.conversationTtlMinutes, 30, "Pulumi.yaml default applies when the stack is silent");
  });

  it("freezes the settings object all the way down", () => {
    const settings = parseSettings(dev, devAccounts);
    assert.ok(Object.isFrozen(settings));
    assert.ok(Object.isFrozen(settings.aws));
    assert.throws(() => {
      (settings.aws as { accountId: string }).accountId = "999999999999";
    }, TypeError);
  });

  const badValues: Array<[key: string, value: string, expected: RegExp]> = [
    ["aws:allowedAccountIds", '["12345"]', /12 digits/],
    ["aws:allowedAccountIds", '["111111111111","333333333333"]', /exactly one AWS account/],
    ["aws:allowedAccountIds", "111111111111,", /YAML list/],
    ["aws:region", "europe-1", /AWS region/],
    ["gcp:region", "Europe West", /GCP region/],
    ["gcp:project", "X", /GCP project id/],
    ["botfleet:domain", "not a domain", /DNS name/],
    ["botfleet:domain", "Bot.Example.COM", /lowercase DNS name/],
    ["botfleet:logRetentionDays", "-5", /retention periods/],
    ["botfleet:logRetentionDays", "10", /retention periods/],
    ["botfleet:lambdaMemoryMb", "64", /at least 128/],
    ["botfleet:lambdaReservedConcurrency", "ten", /whole number/],
    ["botfleet:lambdaReservedConcurrency", "-1", /at least 0/],
    ["botfleet:awsLambdaConcurrencyQuota", "5", /at least 10/],
    ["botfleet:gcpDeployServiceAccount", "botfleet-deploy", /service account in the stack's project/],
    ["botfleet:gcpDeployServiceAccount", "123456789-compute@developer.gserviceaccount.com", /service account in the stack's project/],
    ["botfleet:gcpDeployServiceAccount", "botfleet-deploy@another-project.iam.gserviceaccount.com", /of this stack's project botfleet-dev-replace-me \(gcp:project\), not another-project/],
    ["botfleet:lambdaTimeoutSeconds", "3", /api: timeout 3000 ms is below its 6000 ms budget/],
    ["botfleet:lambdaTimeoutSeconds", "31", /exceeds API Gateway's 30 s/],
    ["botfleet:archiveSoftDeleteDays", "-1", /at least 7/],
    ["botfleet:cloudflareManagedWaf", "yes", /"true" or "false"/],
    ["botfleet:cloudflareZoneId", "zone", /32-character hex/],
    ["botfleet:cloudflareZoneName", "Example.COM", /zone's name/],
    ["botfleet:cloudflareZoneWideTls", "on", /"true" or "false"/],
    ["botfleet:cloudflareAdvancedCertificate", "1", /"true" or "false"/],
    ["botfleet:cloudflareAdoptForeignRules", "yes", /"true" or "false"/],
    ["botfleet:domain", "dev.bot.example.net", /api\.dev\.bot\.example\.net 3 levels below the zone example\.net; Cloudflare's Universal SSL covers only example\.net and \*\.example\.net/],
    ["botfleet:domain", "bot.example.net", /2 levels below .*botfleet:cloudflareAdvancedCertificate true/],
    ["botfleet:domain", "example.org", /must be example\.net \(botfleet:cloudflareZoneName\) or a name inside it/],
    ["botfleet:domain", "notexample.net", /must be example\.net \(botfleet:cloudflareZoneName\) or a name inside it/],
    ["botfleet:whatsappPhoneNumberId", "+1 650 555 1234", /digits only/],
    ["botfleet:whatsappPhoneNumberId", "abc", /or empty when WhatsApp is not used/],
    ["botfleet:exportSchedule", "daily", /cron\(\.\.\.\) or rate/],
    ["botfleet:environment", "staging", /"dev" or "prod"/],
    ["botfleet:awsDeployRoleArn", "arn:aws:iam::999999999999:role/deploy", /this stack's account 111111111111/],
    ["botfleet:archiveDeleteAfterDays", "10", /greater than botfleet:archiveColdAfterDays/],
  ];
  for (const [key, value, expected] of badValues) {
    it(`refuses ${key}=${JSON.stringify(value)} naming the key`, () => {
      const problems = problemsOf({ ...dev, [key]: value });
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.ok(problems[0]?.startsWith(`${key}: `), problems[0]);
      assert.match(problems[0] ?? "", expected);
      assert.ok(problems[0]?.endsWith(`; got ${JSON.stringify(value)}`), `${problems[0]} quotes the bad value`);
    });
  }

  it("accepts a deep API host once the stack orders an advanced certificate for it", () => {
    const settings = parseSettings({ ...dev, "botfleet:domain": "dev.bot.example.net", "botfleet:cloudflareAdvancedCertificate": "true" }, devAccounts);
    assert.equal(settings.apiHostname, "api.dev.bot.example.net");
    assert.equal(settings.cloudflare.advancedCertificate, true);
  });

  it("accepts the zone apex as the domain and a first-level API host under a name inside the zone", () => {
    assert.equal(parseSettings({ ...dev, "botfleet:domain": "example.net", "botfleet:apiSubdomain": "bot-api" }, devAccounts).apiHostname, "bot-api.example.net");
  });

  it("refuses two stacks on one Cloudflare zone, on either side, naming the other stack and the key", () => {
    const others: OtherStack[] = [{ stack: "prod", awsAccountId: "222222222222", gcpProject: "botfleet-prod-replace-me", cloudflareZoneId: dev["botfleet:cloudflareZoneId"], cloudflareZoneName: "example.com" }];
    assert.deepEqual(problemsOfWith({ ...dev }, [{ stack: "dev", awsAccountId: "999999999999" }, ...others]), [
      "botfleet:cloudflareZoneId: zone 0000000000000000000000000000000a is also the prod stack's zone (Pulumi.prod.yaml): a zone has one entry-point ruleset per phase, so two stacks cannot both own the edge's rulesets; give each stack a zone of its own",
    ]);
    const sameName: OtherStack[] = [{ stack: "staging", cloudflareZoneId: "f".repeat(32), cloudflareZoneName: "example.net" }];
    assert.match(problemsOfWith({ ...dev }, sameName)[0] ?? "", /^botfleet:cloudflareZoneName: zone example\.net is also the staging stack's zone \(Pulumi\.staging\.yaml\)/);
    assert.doesNotThrow(() => parseSettings({ ...dev }, [{ stack: "prod", cloudflareZoneId: "b".repeat(32), cloudflareZoneName: "example.com" }]), "a shared Cloudflare account is fine: the edge writes no account-level ruleset");
  });

  it("reads every other stack file beside Pulumi.yaml, never the running stack's own", () => {
    const others = readOtherStacks(PROJECT_DIR, "prod");
    assert.deepEqual(others.map((o) => o.stack), ["dev"]);
    assert.deepEqual(others[0], { stack: "dev", awsAccountId: "111111111111", gcpProject: "botfleet-dev-replace-me", cloudflareZoneId: "0000000000000000000000000000000a", cloudflareZoneName: "example.net" });
    assert.deepEqual(readOtherStacks(PROJECT_DIR, "staging").map((o) => o.stack).sort(), ["dev", "prod"]);
  });

  it("refuses prod on any other stack's account or project, naming that stack", () => {
    const others: OtherStack[] = [{ stack: "dev", awsAccountId: "111111111111" }, { stack: "staging", awsAccountId: "222222222222", gcpProject: "botfleet-prod-replace-me" }];
    assert.deepEqual(problemsOfWith({ ...prod }, others), [
      "aws:allowedAccountIds: prod must not use the staging stack's AWS account 222222222222 (Pulumi.staging.yaml)",
      "gcp:project: prod must not use the staging stack's GCP project botfleet-prod-replace-me (Pulumi.staging.yaml)",
    ]);
  });

  it("reads an empty WhatsApp phone number id (the default) as WhatsApp not used, and digits as the number", () => {
    assert.equal(parseSettings(dev, devAccounts).whatsappPhoneNumberId, undefined);
    assert.equal(parseSettings({ ...dev, "botfleet:whatsappPhoneNumberId": "106540352242922" }, devAccounts).whatsappPhoneNumberId, "106540352242922");
  });

  describe("Lambda reserved concurrency against the account's quota", () => {
    const functions = existingHandlers().length;
    it("reserves nothing by default, which a new account (quota 10) can deploy", () => {
      for (const raw of [dev, prod]) {
        const settings = parseSettings(raw, devAccounts);
        assert.equal(settings.functions.reservedConcurrency, undefined);
        assert.equal(settings.functions.accountConcurrencyQuota, 10);
      }
    });
    it("refuses any reservation on the new-account default quota, naming the key and what the quota must be", () => {
      const problems = problemsOf({ ...dev, "botfleet:lambdaReservedConcurrency": "1" });
      assert.equal(problems.length, 1);
      assert.match(problems[0] ?? "", /^botfleet:lambdaReservedConcurrency: reserves 1 for each of \d+ functions/);
      assert.match(problems[0] ?? "", new RegExp(`botfleet:awsLambdaConcurrencyQuota \\(10\\) must be at least ${functions + 100}`));
    });
    it("accepts a reservation exactly when 100 stay unreserved (the issue's figures: 5 → 140, 50 → 500 for eight functions)", () => {
      for (const perFunction of [5, 50]) {
        const needed = perFunction * functions + 100;
        const ok = parseSettings({ ...prod, "botfleet:lambdaReservedConcurrency": String(perFunction), "botfleet:awsLambdaConcurrencyQuota": String(needed) }, devAccounts);
        assert.equal(ok.functions.reservedConcurrency, perFunction);
        const problems = problemsOf({ ...prod, "botfleet:lambdaReservedConcurrency": String(perFunction), "botfleet:awsLambdaConcurrencyQuota": String(needed - 1) });
        assert.match(problems[0] ?? "", new RegExp(`must be at least ${needed}`));
      }
      if (functions === 8) assert.deepEqual([5 * 8 + 100, 50 * 8 + 100], [140, 500]);
    });
  });

  it("refuses a request-path timeout below what the runtime's fixed budgets need, naming the key and the function", () => {
    const minimum = Math.max(...existingHandlers().filter((h) => ROUTES.some((r) => r.handler === h)).map((h) => FUNCTION_BUDGETS[h].longestMs + TIMEOUT_MARGIN_MS));
    const seconds = Math.ceil(minimum / 1000);
    assert.doesNotThrow(() => parseSettings({ ...dev, "botfleet:lambdaTimeoutSeconds": String(seconds) }, devAccounts));
    const problems = problemsOf({ ...dev, "botfleet:lambdaTimeoutSeconds": String(seconds - 1) });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /^botfleet:lambdaTimeoutSeconds: must fit what each request-path function needs/);
  });

  it("names a missing required key and how to set it", () => {
    const problems = problemsOf({ ...dev, "botfleet:domain": undefined });
    assert.deepEqual(problems, ["botfleet:domain: is required but not set (pulumi config set botfleet:domain <value>)"]);
  });

  it("reports every problem at once", () => {
    const problems = problemsOf({ ...dev, "aws:region": "x", "botfleet:lambdaMemoryMb": "1", "gcp:project": undefined });
    assert.deepEqual(problems.map((p) => p.split(":").slice(0, 2).join(":")).sort(), [
      "aws:region",
      "botfleet:lambdaMemoryMb",
      "gcp:project",
    ]);
  });

  it("refuses a prod stack on the dev AWS account", () => {
    const problems = problemsOf({
      ...prod,
      "aws:allowedAccountIds": '["111111111111"]',
      "botfleet:awsDeployRoleArn": "arn:aws:iam::111111111111:role/botfleet-deploy",
    });
    assert.deepEqual(problems, ["aws:allowedAccountIds: prod must not use the dev stack's AWS account 111111111111 (Pulumi.dev.yaml)"]);
  });

  it("refuses a prod stack on the dev GCP project", () => {
    const problems = problemsOf({
      ...prod,
      "gcp:project": "botfleet-dev-replace-me",
      "botfleet:gcpDeployServiceAccount": "botfleet-deploy@botfleet-dev-replace-me.iam.gserviceaccount.com",
    });
    assert.deepEqual(problems, ["gcp:project: prod must not use the dev stack's GCP project botfleet-dev-replace-me (Pulumi.dev.yaml)"]);
  });

  it("refuses prod when there is no dev stack file to compare with", () => {
    assert.throws(() => parseSettings(prod, undefined), /prod needs Pulumi.dev.yaml/);
  });

  it("lets dev run whatever prod uses (the guard protects prod only)", () => {
    assert.doesNotThrow(() => parseSettings({ ...dev }, { awsAccountId: "111111111111", gcpProject: "botfleet-dev-replace-me" }));
  });

  it("declares exactly the keys the schema reads in Pulumi.yaml, each with a type and description", () => {
    const project = parseYaml(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
      config: Record<string, { type?: string; description?: string }>;
    };
    const declared = Object.keys(project.config).filter((k) => !k.includes(":"));
    const ownKeys = CONFIG_KEYS.filter((k) => k.startsWith("botfleet:")).map((k) => k.slice("botfleet:".length));
    assert.deepEqual([...declared].sort(), [...ownKeys].sort());
    for (const key of declared) {
      assert.ok(project.config[key]?.type, `${key} has a type`);
      assert.ok(project.config[key]?.description, `${key} has a description`);
    }
    assert.deepEqual(project.config["pulumi:disable-default-providers"], ["*"]);
  });

  it("keeps secrets out of the stack files", () => {
    for (const stack of ["dev", "prod"]) {
      const text = fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
      assert.doesNotMatch(text, /secure:|apiToken|token:|password/i, `Pulumi.${stack}.yaml holds no secret`);
    }
  });
});

describe("stack config secrets", () => {
  it("never echoes a bad secret value in the error", () => {
    const problems = problemsOf({ ...dev, "botfleet:originVerifySecret": "short-but-secret" });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /^botfleet:originVerifySecret: .*got \[secret\]$/);
    assert.doesNotMatch(problems[0] ?? "", /short-but-secret/);
  });

  it("tells the user to set a missing secret with --secret", () => {
    const problems = problemsOf({ ...dev, "botfleet:originVerifySecret": undefined });
    assert.deepEqual(problems, [
      "botfleet:originVerifySecret: is required but not set (pulumi config set --secret botfleet:originVerifySecret <value>)",
    ]);
  });

  it("hands the origin-verify value on only as a Pulumi secret", async () => {
    const settings = parseSettings(dev, devAccounts);
    assert.ok(pulumi.Output.isInstance(settings.originVerifySecret));
    assert.equal(await pulumi.isSecret(settings.originVerifySecret), true);
  });
});

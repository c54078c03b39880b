import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseYamlDocument as parseYaml } from "../../infra/yamlDocument";
import { CONFIG_KEYS, ConfigError, MAX_STACK_TOKEN, type OtherStack, parseSettings, PROJECT_DIR, readOtherStacks, RETIRED_KEYS } from "../../infra/config";
import { existingHandlers } from "../../infra/aws/handlers";
import { FUNCTION_BUDGETS, TIMEOUT_MARGIN_MS } from "../../runtime/http/functionBudgets";
import { ROUTES } from "../../runtime/routes";
import { readStackConfig } from "../../tools/program/stackConfig";

const dev = readStackConfig("dev");
const prod = readStackConfig("prod");
const devOthers = readOtherStacks(PROJECT_DIR, "dev");
const prodOthers = readOtherStacks(PROJECT_DIR, "prod");

/** The problems of `raw` run as `stack` beside the project's real stack files. */
function problemsOf(raw: Record<string, string | undefined>, stack = "dev"): string[] {
  return problemsOfWith(raw, readOtherStacks(PROJECT_DIR, stack), stack);
}

function problemsOfWith(raw: Record<string, string | undefined>, others: readonly OtherStack[], stack = "dev"): string[] {
  try {
    parseSettings(stack, raw, others);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return [...err.problems];
  }
  assert.fail("expected the config to be refused");
}

describe("stack config", () => {
  it("reads both real stack files into settings for their own accounts", () => {
    const devSettings = parseSettings("dev", dev, devOthers);
    const prodSettings = parseSettings("prod", prod, prodOthers);
    assert.deepEqual([devSettings.stack, devSettings.prefix, devSettings.productionGrade], ["dev", "botfleet-dev", false]);
    assert.deepEqual([prodSettings.stack, prodSettings.prefix, prodSettings.productionGrade], ["prod", "botfleet-prod", true]);
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
    const settings = parseSettings("dev", dev, devOthers);
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
    ["botfleet:productionGrade", "yes", /"true" or "false"/],
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
    const settings = parseSettings("dev", { ...dev, "botfleet:domain": "dev.bot.example.net", "botfleet:cloudflareAdvancedCertificate": "true" }, devOthers);
    assert.equal(settings.apiHostname, "api.dev.bot.example.net");
    assert.equal(settings.cloudflare.advancedCertificate, true);
  });

  it("accepts the zone apex as the domain and a first-level API host under a name inside the zone", () => {
    assert.equal(parseSettings("dev", { ...dev, "botfleet:domain": "example.net", "botfleet:apiSubdomain": "bot-api" }, devOthers).apiHostname, "bot-api.example.net");
  });

  it("refuses two stacks on one Cloudflare zone, on either side, naming the other stack and the key", () => {
    const others: OtherStack[] = [{ stack: "prod", awsAccountId: "222222222222", gcpProject: "botfleet-prod-replace-me", cloudflareZoneId: dev["botfleet:cloudflareZoneId"], cloudflareZoneName: "example.com" }];
    assert.deepEqual(problemsOfWith({ ...dev }, [{ stack: "dev", awsAccountId: "999999999999" }, ...others]), [
      "botfleet:cloudflareZoneId: zone 0000000000000000000000000000000a is also the prod stack's zone (Pulumi.prod.yaml): a zone has one entry-point ruleset per phase, so two stacks cannot both own the edge's rulesets; give each stack a zone of its own",
    ]);
    const sameName: OtherStack[] = [{ stack: "staging", cloudflareZoneId: "f".repeat(32), cloudflareZoneName: "example.net" }];
    assert.match(problemsOfWith({ ...dev }, sameName)[0] ?? "", /^botfleet:cloudflareZoneName: zone example\.net is also the staging stack's zone \(Pulumi\.staging\.yaml\)/);
    assert.doesNotThrow(
      () => parseSettings("dev", { ...dev }, [{ stack: "qa", cloudflareAccountId: dev["botfleet:cloudflareAccountId"], cloudflareZoneId: "b".repeat(32), cloudflareZoneName: "example.com" }]),
      "non-production stacks may share a Cloudflare account: the edge writes no account-level ruleset",
    );
  });

  it("reads every other stack file beside Pulumi.yaml, never the running stack's own", () => {
    assert.deepEqual(prodOthers.map((o) => o.stack), ["dev"]);
    assert.deepEqual(prodOthers[0], {
      stack: "dev",
      productionGrade: false,
      awsAccountId: "111111111111",
      gcpProject: "botfleet-dev-replace-me",
      cloudflareAccountId: "00000000000000000000000000000001",
      cloudflareZoneId: "0000000000000000000000000000000a",
      cloudflareZoneName: "example.net",
    });
    assert.equal(devOthers[0]?.productionGrade, true);
    assert.deepEqual(readOtherStacks(PROJECT_DIR, "staging").map((o) => o.stack).sort(), ["dev", "prod"]);
  });

  it("refuses a production-grade stack on any non-production stack's AWS account, GCP project, Cloudflare account or zone, whatever the names", () => {
    const staging: OtherStack = {
      stack: "staging",
      awsAccountId: "222222222222",
      gcpProject: "botfleet-prod-replace-me",
      cloudflareAccountId: prod["botfleet:cloudflareAccountId"],
      cloudflareZoneId: "c".repeat(32),
    };
    assert.deepEqual(problemsOfWith({ ...prod }, [{ stack: "dev", awsAccountId: "111111111111" }, staging], "live"), [
      "aws:allowedAccountIds: a production-grade stack must not use the AWS account 222222222222 of the non-production staging stack (Pulumi.staging.yaml): give it one of its own",
      "gcp:project: a production-grade stack must not use the GCP project botfleet-prod-replace-me of the non-production staging stack (Pulumi.staging.yaml): give it one of its own",
      "botfleet:cloudflareAccountId: a production-grade stack must not use the Cloudflare account 00000000000000000000000000000002 of the non-production staging stack (Pulumi.staging.yaml): give it one of its own",
    ]);
    // A file that does not say productionGrade "true" (omitted, a typo, the retired key) is judged as non-production.
    for (const productionGrade of [undefined, false]) {
      assert.equal(problemsOfWith({ ...prod }, [{ ...staging, productionGrade }], "prod").length, 3);
    }
    assert.doesNotThrow(() => parseSettings("prod-us", { ...prod }, [{ ...staging, productionGrade: true }]), "production-grade stacks may share accounts (a second region)");
    assert.doesNotThrow(() => parseSettings("staging", { ...prod, "botfleet:productionGrade": "false" }, [{ ...staging, stack: "dev" }]), "a non-production stack is not held to it");
  });

  it("makes production-grade a setting of the stack, not of its name", () => {
    const prodAsFalse = parseSettings("prod", { ...prod, "botfleet:productionGrade": "false" }, prodOthers);
    assert.equal(prodAsFalse.productionGrade, false);
    const qa: OtherStack[] = [{ stack: "qa", awsAccountId: "111111111111" }];
    assert.doesNotThrow(() => parseSettings("dev", dev, qa));
    const devAsTrue = problemsOfWith({ ...dev, "botfleet:productionGrade": "true" }, qa);
    assert.deepEqual(devAsTrue, ["aws:allowedAccountIds: a production-grade stack must not use the AWS account 111111111111 of the non-production qa stack (Pulumi.qa.yaml): give it one of its own"]);
    assert.equal(parseSettings("dev", { ...dev, "botfleet:productionGrade": "true" }, []).productionGrade, true);
  });

  it("requires botfleet:productionGrade (no default: a stack that forgets it is refused, never silently unprotected)", () => {
    assert.deepEqual(problemsOf({ ...dev, "botfleet:productionGrade": undefined }), ["botfleet:productionGrade: is required but not set (pulumi config set botfleet:productionGrade <value>)"]);
  });

  it("refuses the retired botfleet:environment in one line naming the key that replaces it", () => {
    const problems = problemsOf({ ...dev, "botfleet:environment": "dev" });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /^botfleet:environment: is no longer read: .*botfleet:productionGrade: "true" \(what prod was\) or "false" \(what dev was\)$/);
    assert.deepEqual(Object.keys(RETIRED_KEYS), ["botfleet:environment"]);
  });

  it("takes any stack name Pulumi accepts, deriving the physical-name prefix from it", () => {
    const cases: [string, string][] = [["staging", "botfleet-staging"], ["prod.eu_2", "botfleet-prod-eu-2"], ["QA", "botfleet-qa"], ["dev", "botfleet-dev"]];
    for (const [stack, prefix] of cases) {
      const settings = parseSettings(stack, dev, []);
      assert.deepEqual([settings.stack, settings.prefix], [stack, prefix]);
    }
  });

  it("refuses a stack name Pulumi would not accept, one too long for the clouds' names, or one whose names another stack already has", () => {
    assert.match(problemsOfWith(dev, [], "my stack")[0] ?? "", /^stack name "my stack": must be letters, digits/);
    assert.doesNotThrow(() => parseSettings("s".repeat(MAX_STACK_TOKEN), dev, []));
    assert.match(problemsOfWith(dev, [], "s".repeat(MAX_STACK_TOKEN + 1))[0] ?? "", new RegExp(`must be at most ${MAX_STACK_TOKEN} characters`));
    assert.deepEqual(problemsOfWith(dev, [{ stack: "prod_eu" }], "prod.eu"), [
      'stack name "prod.eu": gives the same physical names (botfleet-prod-eu-...) as the prod_eu stack (Pulumi.prod_eu.yaml): rename one of them',
    ]);
  });

  it("reads an empty WhatsApp phone number id (the default) as WhatsApp not used, and digits as the number", () => {
    assert.equal(parseSettings("dev", dev, devOthers).whatsappPhoneNumberId, undefined);
    assert.equal(parseSettings("dev", { ...dev, "botfleet:whatsappPhoneNumberId": "106540352242922" }, devOthers).whatsappPhoneNumberId, "106540352242922");
  });

  describe("Lambda reserved concurrency against the account's quota", () => {
    const functions = existingHandlers().length;
    it("reserves nothing by default, which a new account (quota 10) can deploy", () => {
      for (const raw of [dev, prod]) {
        const settings = parseSettings(raw === prod ? "prod" : "dev", raw, raw === prod ? prodOthers : devOthers);
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
        const ok = parseSettings("prod", { ...prod, "botfleet:lambdaReservedConcurrency": String(perFunction), "botfleet:awsLambdaConcurrencyQuota": String(needed) }, prodOthers);
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
    assert.doesNotThrow(() => parseSettings("dev", { ...dev, "botfleet:lambdaTimeoutSeconds": String(seconds) }, devOthers));
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

  it("refuses the prod sample on the dev sample's AWS account or GCP project, naming the key and dev's file", () => {
    const account = problemsOf({ ...prod, "aws:allowedAccountIds": '["111111111111"]', "botfleet:awsDeployRoleArn": "arn:aws:iam::111111111111:role/botfleet-deploy" }, "prod");
    assert.deepEqual(account, ["aws:allowedAccountIds: a production-grade stack must not use the AWS account 111111111111 of the non-production dev stack (Pulumi.dev.yaml): give it one of its own"]);
    const project = problemsOf({ ...prod, "gcp:project": "botfleet-dev-replace-me", "botfleet:gcpDeployServiceAccount": "botfleet-deploy@botfleet-dev-replace-me.iam.gserviceaccount.com" }, "prod");
    assert.deepEqual(project, ["gcp:project: a production-grade stack must not use the GCP project botfleet-dev-replace-me of the non-production dev stack (Pulumi.dev.yaml): give it one of its own"]);
  });

  it("lets a non-production stack run whatever a production-grade one uses (the guard protects production only)", () => {
    assert.doesNotThrow(() => parseSettings("dev", { ...dev }, [{ stack: "prod", productionGrade: true, awsAccountId: "111111111111", gcpProject: "botfleet-dev-replace-me", cloudflareAccountId: dev["botfleet:cloudflareAccountId"] }]));
  });

  it("declares exactly the keys the schema reads in Pulumi.yaml, each with a type and description", () => {
    const project = parseYaml(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
      config: Record<string, { type?: string; description?: string }>;
    };
    const declared = Object.keys(project.config).filter((k) => !k.includes(":") && !(`botfleet:${k}` in RETIRED_KEYS));
    const ownKeys = CONFIG_KEYS.filter((k) => k.startsWith("botfleet:")).map((k) => k.slice("botfleet:".length));
    assert.deepEqual([...declared].sort(), [...ownKeys].sort());
    assert.ok(!("default" in (project.config.productionGrade ?? {})), "productionGrade has no default");
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
    const settings = parseSettings("dev", dev, devOthers);
    assert.ok(pulumi.Output.isInstance(settings.originVerifySecret));
    assert.equal(await pulumi.isSecret(settings.originVerifySecret), true);
  });
});

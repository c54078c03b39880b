import { awsProviderRequireAllowedAccount } from "../../policypacks/security/aws/provider/requireAllowedAccount";
import { gcpProviderRequireConfiguredProject } from "../../policypacks/security/gcp/provider/requireConfiguredProject";
import { stackDisallowDefaultProviders } from "../../policypacks/security/stack/disallowDefaultProviders";
import { stackRequireProdAccountsDifferFromDev } from "../../policypacks/security/stack/requireProdAccountsDifferFromDev";
import * as assert from "node:assert/strict";
import { analyze, analyzeEach, expectClean, expectDeferredOnly, expectViolation, type TestResource, UNKNOWN } from "./harness";

// Provider inputs arrive JSON-encoded, as in mocks, over the protocol and in stack exports.
const awsProvider = (accounts: string[] | undefined, name = "botfleet-prod-aws") =>
  ({ type: "pulumi:providers:aws", name, props: { region: "eu-west-1", ...(accounts ? { allowedAccountIds: JSON.stringify(accounts) } : {}) } }) as TestResource & { name: string };
const gcpProvider = (project: string, name = "botfleet-prod-gcp") => ({ type: "pulumi:providers:gcp", name, props: { project, region: "europe-west1" } }) as TestResource & { name: string };
const table = (provider = awsProvider(["222222222222"])): TestResource => ({ type: "aws:dynamodb/table:Table", name: "table", props: {}, provider });
const PROD = { accountId: "222222222222" };

describe("policy pack: stack accounts (resource policies on providers and provider references: `up` stops before the first change)", () => {
  describe("aws-provider-require-allowed-account", () => {
    it("accepts a provider pinned to exactly the configured account, and the resources on it", async () => {
      expectClean(await analyzeEach(awsProviderRequireAllowedAccount, [awsProvider(["222222222222"]), table()], PROD));
    });
    it("rejects a provider without allowedAccountIds", async () => {
      expectViolation(await analyze(awsProviderRequireAllowedAccount, awsProvider(undefined), PROD), "aws-provider-require-allowed-account");
    });
    it("rejects a provider that also allows a second account", async () => {
      expectViolation(await analyze(awsProviderRequireAllowedAccount, awsProvider(["222222222222", "333333333333"]), PROD), "aws-provider-require-allowed-account");
    });
    it("rejects a provider pinned to another account", async () => {
      expectViolation(await analyze(awsProviderRequireAllowedAccount, awsProvider(["111111111111"]), PROD), "aws-provider-require-allowed-account");
    });
    it("rejects a resource whose provider reference is pinned to another account (judged at the resource, before its step)", async () => {
      const found = await analyze(awsProviderRequireAllowedAccount, table(awsProvider(["111111111111"])), PROD);
      expectViolation(found, "aws-provider-require-allowed-account");
      assert.match(found[0]?.message ?? "", /uses provider botfleet-prod-aws/);
    });
    it("rejects every provider when the stack's account is not configured (once, on the provider)", async () => {
      expectViolation(await analyze(awsProviderRequireAllowedAccount, awsProvider(["222222222222"])), "aws-provider-require-allowed-account");
      expectClean(await analyze(awsProviderRequireAllowedAccount, table()));
    });
    it("defers a provider whose allowedAccountIds are unknown in preview", async () => {
      const provider = { ...awsProvider(undefined), props: { region: "eu-west-1", allowedAccountIds: UNKNOWN } };
      expectDeferredOnly(await analyze(awsProviderRequireAllowedAccount, provider, PROD), "aws-provider-require-allowed-account");
    });
  });

  describe("gcp-provider-require-configured-project", () => {
    it("accepts the configured project", async () => {
      expectClean(await analyze(gcpProviderRequireConfiguredProject, gcpProvider("botfleet-prod"), { project: "botfleet-prod" }));
    });
    it("rejects another project, on the provider and on a bucket using it", async () => {
      expectViolation(await analyze(gcpProviderRequireConfiguredProject, gcpProvider("botfleet-dev"), { project: "botfleet-prod" }), "gcp-provider-require-configured-project");
      const bucket: TestResource = { type: "gcp:storage/bucket:Bucket", name: "b", props: {}, provider: gcpProvider("botfleet-dev") };
      expectViolation(await analyze(gcpProviderRequireConfiguredProject, bucket, { project: "botfleet-prod" }), "gcp-provider-require-configured-project");
    });
    it("defers an unknown project", async () => {
      expectDeferredOnly(await analyze(gcpProviderRequireConfiguredProject, gcpProvider(UNKNOWN), { project: "botfleet-prod" }), "gcp-provider-require-configured-project");
    });
  });

  describe("stack-disallow-default-providers", () => {
    it("accepts resources on explicit providers, and components", async () => {
      expectClean(await analyzeEach(stackDisallowDefaultProviders, [awsProvider(["222222222222"]), table(), { type: "botfleet:aws:Table", name: "c", props: {} }]));
    });
    it("rejects a resource on a default provider", async () => {
      expectViolation(await analyze(stackDisallowDefaultProviders, table(awsProvider(["222222222222"], "default_7_48_0"))), "stack-disallow-default-providers");
    });
    it("rejects a registered default provider (the engine analyzes it before any resource uses it)", async () => {
      expectViolation(await analyze(stackDisallowDefaultProviders, awsProvider(undefined, "default")), "stack-disallow-default-providers");
    });
    it("rejects a provider-package resource with no provider recorded", async () => {
      expectViolation(await analyze(stackDisallowDefaultProviders, { type: "gcp:storage/bucket:Bucket", name: "b", props: {} }), "stack-disallow-default-providers");
    });
    it("bypass: a provider named like a default but for another package is still a default", async () => {
      expectViolation(await analyze(stackDisallowDefaultProviders, { ...gcpProvider("p", "default_9_37_0") }), "stack-disallow-default-providers");
    });
  });

  describe("stack-require-prod-accounts-differ-from-dev", () => {
    const P = "stack-require-prod-accounts-differ-from-dev";
    const config = {
      productionGrade: true,
      nonProductionAccountIds: ["111111111111", "333333333333"],
      nonProductionProjects: ["botfleet-dev", "botfleet-staging"],
      nonProductionCloudflareAccountIds: ["00000000000000000000000000000001"],
      nonProductionCloudflareZoneIds: ["0000000000000000000000000000000a", "0000000000000000000000000000000c"],
    };
    const dnsRecord = (props: Record<string, unknown>): TestResource => ({ type: "cloudflare:index/dnsRecord:DnsRecord", name: "api", props: { name: "api.example.com", type: "CNAME", proxied: true, ...props } });
    it("accepts a production-grade stack on its own account, project and zone", async () => {
      expectClean(await analyzeEach(stackRequireProdAccountsDifferFromDev, [awsProvider(["222222222222"]), gcpProvider("botfleet-prod"), table(), dnsRecord({ zoneId: "0000000000000000000000000000000b" })], config));
    });
    it("rejects the AWS provider on a non-production account, and each resource on it", async () => {
      expectViolation(await analyze(stackRequireProdAccountsDifferFromDev, awsProvider(["111111111111"]), config), P);
      expectViolation(await analyze(stackRequireProdAccountsDifferFromDev, table(awsProvider(["111111111111"])), config), P);
    });
    it("rejects a third non-production stack's (staging's) account, project and zone, not only dev's", async () => {
      expectViolation(await analyze(stackRequireProdAccountsDifferFromDev, awsProvider(["333333333333"]), config), P);
      expectViolation(await analyze(stackRequireProdAccountsDifferFromDev, gcpProvider("botfleet-staging"), config), P);
      expectViolation(await analyze(stackRequireProdAccountsDifferFromDev, dnsRecord({ zoneId: "0000000000000000000000000000000c" }), config), P);
    });
    it("rejects a Cloudflare resource in a non-production stack's Cloudflare account", async () => {
      const ruleset: TestResource = { type: "cloudflare:index/ruleset:Ruleset", name: "r", props: { accountId: "00000000000000000000000000000001", phase: "http_request_firewall_custom" } };
      expectViolation(await analyze(stackRequireProdAccountsDifferFromDev, ruleset, config), P);
    });
    it("bypass: a non-production account hidden as the second of two allowed accounts", async () => {
      expectViolation(await analyze(stackRequireProdAccountsDifferFromDev, awsProvider(["222222222222", "111111111111"]), config), P);
    });
    it("rejects a production-grade config that does not list what the non-production stacks use, naming the keys", async () => {
      const found = await analyze(stackRequireProdAccountsDifferFromDev, awsProvider(["222222222222"]), { productionGrade: true, nonProductionAccountIds: ["111111111111"] });
      expectViolation(found, P);
      assert.match(JSON.stringify(found), /nonProductionProjects.*nonProductionCloudflareAccountIds.*nonProductionCloudflareZoneIds/);
    });
    it("does not apply to a non-production stack", async () => {
      expectClean(await analyze(stackRequireProdAccountsDifferFromDev, awsProvider(["111111111111"]), { ...config, productionGrade: false }));
    });
    it("defers a provider whose project is unknown in preview", async () => {
      expectDeferredOnly(await analyze(stackRequireProdAccountsDifferFromDev, gcpProvider(UNKNOWN), config), "stack-require-prod-accounts-differ-from-dev");
    });
  });
});

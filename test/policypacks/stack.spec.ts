import { awsProviderRequireAllowedAccount } from "../../policypacks/security/aws/provider/requireAllowedAccount";
import { gcpProviderRequireConfiguredProject } from "../../policypacks/security/gcp/provider/requireConfiguredProject";
import { stackDisallowDefaultProviders } from "../../policypacks/security/stack/disallowDefaultProviders";
import { stackRequireProdAccountsDifferFromDev } from "../../policypacks/security/stack/requireProdAccountsDifferFromDev";
import { analyzeStack, expectClean, expectViolation, type TestResource } from "./harness";

// Provider inputs arrive JSON-encoded, as in mocks, over the protocol and in stack exports.
const awsProvider = (accounts: string[] | undefined, name = "botfleet-prod-aws") =>
  ({ type: "pulumi:providers:aws", name, props: { region: "eu-west-1", ...(accounts ? { allowedAccountIds: JSON.stringify(accounts) } : {}) } }) as TestResource & { name: string };
const gcpProvider = (project: string, name = "botfleet-prod-gcp") => ({ type: "pulumi:providers:gcp", name, props: { project, region: "europe-west1" } }) as TestResource & { name: string };
const table: TestResource = { type: "aws:dynamodb/table:Table", name: "table", props: {}, provider: awsProvider(["222222222222"]) };
const PROD = { accountId: "222222222222" };

describe("policy pack: stack accounts", () => {
  describe("aws-provider-require-allowed-account", () => {
    it("accepts a provider pinned to exactly the configured account", async () => {
      expectClean(await analyzeStack(awsProviderRequireAllowedAccount, [awsProvider(["222222222222"]), table], PROD));
    });
    it("rejects a provider without allowedAccountIds", async () => {
      expectViolation(await analyzeStack(awsProviderRequireAllowedAccount, [awsProvider(undefined)], PROD), "aws-provider-require-allowed-account");
    });
    it("rejects a provider that also allows a second account", async () => {
      expectViolation(await analyzeStack(awsProviderRequireAllowedAccount, [awsProvider(["222222222222", "333333333333"])], PROD), "aws-provider-require-allowed-account");
    });
    it("rejects a provider pinned to another account", async () => {
      expectViolation(await analyzeStack(awsProviderRequireAllowedAccount, [awsProvider(["111111111111"])], PROD), "aws-provider-require-allowed-account");
    });
    it("rejects every provider when the stack's account is not configured", async () => {
      expectViolation(await analyzeStack(awsProviderRequireAllowedAccount, [awsProvider(["222222222222"])]), "aws-provider-require-allowed-account");
    });
  });

  describe("gcp-provider-require-configured-project", () => {
    it("accepts the configured project", async () => {
      expectClean(await analyzeStack(gcpProviderRequireConfiguredProject, [gcpProvider("botfleet-prod")], { project: "botfleet-prod" }));
    });
    it("rejects another project", async () => {
      const found = await analyzeStack(gcpProviderRequireConfiguredProject, [gcpProvider("botfleet-dev")], { project: "botfleet-prod" });
      expectViolation(found, "gcp-provider-require-configured-project");
    });
  });

  describe("stack-disallow-default-providers", () => {
    it("accepts resources on explicit providers", async () => {
      expectClean(await analyzeStack(stackDisallowDefaultProviders, [awsProvider(["222222222222"]), table, { type: "botfleet:aws:Table", name: "c", props: {} }]));
    });
    it("rejects a resource on a default provider", async () => {
      const onDefault = { ...table, provider: awsProvider(["222222222222"], "default_7_48_0") };
      expectViolation(await analyzeStack(stackDisallowDefaultProviders, [onDefault]), "stack-disallow-default-providers");
    });
    it("rejects a registered default provider", async () => {
      expectViolation(await analyzeStack(stackDisallowDefaultProviders, [awsProvider(undefined, "default")]), "stack-disallow-default-providers");
    });
    it("rejects a provider-package resource with no provider recorded", async () => {
      const bare: TestResource = { type: "gcp:storage/bucket:Bucket", name: "b", props: {} };
      expectViolation(await analyzeStack(stackDisallowDefaultProviders, [bare]), "stack-disallow-default-providers");
    });
  });

  describe("stack-require-prod-accounts-differ-from-dev", () => {
    const config = { environment: "prod", devAccountId: "111111111111", devProject: "botfleet-dev" };
    it("accepts prod on its own account and project", async () => {
      expectClean(await analyzeStack(stackRequireProdAccountsDifferFromDev, [awsProvider(["222222222222"]), gcpProvider("botfleet-prod")], config));
    });
    it("rejects prod's AWS provider on dev's account", async () => {
      const found = await analyzeStack(stackRequireProdAccountsDifferFromDev, [awsProvider(["111111111111"]), gcpProvider("botfleet-prod")], config);
      expectViolation(found, "stack-require-prod-accounts-differ-from-dev");
    });
    it("rejects prod's GCP provider on dev's project", async () => {
      const found = await analyzeStack(stackRequireProdAccountsDifferFromDev, [awsProvider(["222222222222"]), gcpProvider("botfleet-dev")], config);
      expectViolation(found, "stack-require-prod-accounts-differ-from-dev");
    });
    it("rejects a prod config that does not name dev's accounts", async () => {
      expectViolation(await analyzeStack(stackRequireProdAccountsDifferFromDev, [awsProvider(["222222222222"])], { environment: "prod" }), "stack-require-prod-accounts-differ-from-dev");
    });
    it("does not apply to dev", async () => {
      expectClean(await analyzeStack(stackRequireProdAccountsDifferFromDev, [awsProvider(["111111111111"])], { ...config, environment: "dev" }));
    });
  });
});

import { strict as assert } from "node:assert";
import { AwsClient, ExternalAccountClient } from "google-auth-library";
import { externalAccountCredentialConfig } from "../../../infra/gcp/credentialConfig";
import { assumedRoleArn, onlyRoleCondition, onlyRolesCondition, rolePrincipalSet } from "../../../infra/gcp/workloadIdentity";

const PROVIDER = "projects/123456789012/locations/global/workloadIdentityPools/botfleet-prod-aws/providers/export-aws";
const SA = "botfleet-prod-export@botfleet-prod-1.iam.gserviceaccount.com";

const LAMBDA_ENV = {
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "ASIAEXAMPLEEXAMPLE00",
  AWS_SECRET_ACCESS_KEY: "example-secret-access-key-not-real-000000",
  AWS_SESSION_TOKEN: "example-session-token",
};

/** Runs `fn` with exactly these AWS variables set (others removed), then restores the environment. */
async function withAwsEnv<T>(env: Partial<typeof LAMBDA_ENV>, fn: () => Promise<T>): Promise<T> {
  const keys = [...Object.keys(LAMBDA_ENV), "AWS_DEFAULT_REGION"];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

describe("external_account credential config (read by the real google-auth-library)", () => {
  const config = externalAccountCredentialConfig({ providerName: PROVIDER, serviceAccountEmail: SA });

  it("is accepted as an AWS external account client", () => {
    const client = ExternalAccountClient.fromJSON({ ...config });
    assert.ok(client instanceof AwsClient);
  });

  it("builds a signed GetCallerIdentity subject token from Lambda's environment alone, with no metadata call", async () => {
    const client = ExternalAccountClient.fromJSON({ ...config }) as AwsClient;
    const token = await withAwsEnv(LAMBDA_ENV, () => client.retrieveSubjectToken());
    const request = JSON.parse(decodeURIComponent(token)) as { url: string; method: string; headers: { key: string; value: string }[] };
    const header = (name: string) => request.headers.find((h) => h.key.toLowerCase() === name)?.value;
    assert.equal(request.method, "POST");
    assert.equal(request.url, "https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15");
    assert.equal(header("x-goog-cloud-target-resource"), `//iam.googleapis.com/${PROVIDER}`);
    assert.equal(header("x-amz-security-token"), LAMBDA_ENV.AWS_SESSION_TOKEN);
    assert.match(header("authorization") ?? "", /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE00\/\d{8}\/eu-west-1\/sts\/aws4_request/);
  });

  it("fails at once, naming the missing source, when the AWS credentials are not in the environment", async () => {
    const client = ExternalAccountClient.fromJSON({ ...config }) as AwsClient;
    await assert.rejects(
      withAwsEnv({ AWS_REGION: "eu-west-1" }, () => client.retrieveSubjectToken()),
      /credential_source\.url/,
    );
  });

  it("fails at once when the region is missing instead of asking a metadata server", async () => {
    const client = ExternalAccountClient.fromJSON({ ...config }) as AwsClient;
    const { AWS_REGION: _region, ...noRegion } = LAMBDA_ENV;
    await assert.rejects(withAwsEnv(noRegion, () => client.retrieveSubjectToken()), /region_url/);
  });

  it("refuses a provider name without a project number, or an account that is not a user-managed service account", () => {
    assert.throws(
      () => externalAccountCredentialConfig({ providerName: PROVIDER.replace("123456789012", "botfleet-prod"), serviceAccountEmail: SA }),
      /projects\/<number>/,
    );
    assert.throws(
      () => externalAccountCredentialConfig({ providerName: PROVIDER, serviceAccountEmail: "123456789012-compute@developer.gserviceaccount.com" }),
      /user-managed/,
    );
    assert.throws(() => externalAccountCredentialConfig({ providerName: PROVIDER, serviceAccountEmail: "someone@example.com" }), /user-managed/);
  });
});

describe("workload identity expressions", () => {
  it("names the role's sessions, never a session or another role", () => {
    assert.equal(assumedRoleArn("222222222222", "botfleet-prod-export"), "arn:aws:sts::222222222222:assumed-role/botfleet-prod-export");
    assert.equal(onlyRoleCondition("222222222222", "botfleet-prod-export"), 'attribute.aws_role == "arn:aws:sts::222222222222:assumed-role/botfleet-prod-export"');
    assert.equal(
      rolePrincipalSet("projects/1/locations/global/workloadIdentityPools/botfleet-prod-aws", "222222222222", "botfleet-prod-export"),
      "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/botfleet-prod-aws/attribute.aws_role/arn:aws:sts::222222222222:assumed-role/botfleet-prod-export",
    );
  });

  it("refuses values that would widen or break the condition", () => {
    assert.throws(() => onlyRoleCondition("2222", "x"), /12 digits/);
    assert.throws(() => onlyRoleCondition("222222222222", 'x" || true || "'), /role name/);
    assert.throws(() => rolePrincipalSet("projects/p/locations/global/workloadIdentityPools/pool", "222222222222", "r"), /pool name/);
    assert.throws(() => onlyRolesCondition("222222222222", []), /at least one role/);
    assert.throws(() => onlyRolesCondition("222222222222", ["ok", 'x" || true || "']), /role name/);
  });

  it("admits several roles as an OR of exact role matches", () => {
    assert.equal(
      onlyRolesCondition("222222222222", ["botfleet-prod-export", "botfleet-prod-api"]),
      'attribute.aws_role == "arn:aws:sts::222222222222:assumed-role/botfleet-prod-export" || ' +
        'attribute.aws_role == "arn:aws:sts::222222222222:assumed-role/botfleet-prod-api"',
    );
  });
});

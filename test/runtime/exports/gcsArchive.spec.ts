import { strict as assert } from "node:assert";
import { readArchiveSettings } from "../../../runtime/adapters/archiveSettings";
import { createStorage } from "../../../runtime/adapters/gcsArchive";
import { ConfigError } from "../../../runtime/errors";
import { exportDepsFromEnv } from "../../../runtime/handlers/export";

/** The shape GCP's Workload Identity Federation writes for an AWS identity (no secret in it). */
const EXTERNAL_ACCOUNT = {
  type: "external_account",
  audience: "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/botfleet/providers/aws",
  subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
  token_url: "https://sts.googleapis.com/v1/token",
  service_account_impersonation_url: "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/export@p.iam.gserviceaccount.com:generateAccessToken",
  credential_source: {
    environment_id: "aws1",
    region_url: "http://169.254.169.254/latest/meta-data/placement/availability-zone",
    url: "http://169.254.169.254/latest/meta-data/iam/security-credentials",
    regional_cred_verification_url: "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
  },
};

describe("GCS archive settings", () => {
  it("deployed: builds a keyless external_account client from BOTFLEET_GCP_CREDENTIALS", async () => {
    const settings = readArchiveSettings({ BOTFLEET_ARCHIVE_BUCKET: "botfleet-archive-prod", BOTFLEET_GCP_CREDENTIALS: JSON.stringify(EXTERNAL_ACCOUNT) }, "deployed");
    const storage = createStorage(settings);
    const client = await storage.authClient.getClient();
    assert.equal(client.constructor.name, "AwsClient");
  });

  it("refuses a service-account key or missing credentials when deployed", () => {
    const key = { type: "service_account", private_key: "-----BEGIN PRIVATE KEY-----", client_email: "x@y" };
    assert.throws(() => readArchiveSettings({ BOTFLEET_ARCHIVE_BUCKET: "botfleet-archive", BOTFLEET_GCP_CREDENTIALS: JSON.stringify(key) }, "deployed"), ConfigError);
    assert.throws(() => readArchiveSettings({ BOTFLEET_ARCHIVE_BUCKET: "botfleet-archive" }, "deployed"), ConfigError);
  });

  it("local: needs a loopback endpoint and a valid bucket name", () => {
    assert.deepEqual(readArchiveSettings({ BOTFLEET_ARCHIVE_BUCKET: "botfleet-archive", BOTFLEET_GCS_ENDPOINT: "http://127.0.0.1:9199" }, "local"), { bucket: "botfleet-archive", endpoint: "http://127.0.0.1:9199" });
    assert.throws(() => readArchiveSettings({ BOTFLEET_ARCHIVE_BUCKET: "botfleet-archive", BOTFLEET_GCS_ENDPOINT: "https://storage.googleapis.com" }, "local"), ConfigError);
    assert.throws(() => readArchiveSettings({ BOTFLEET_ARCHIVE_BUCKET: "Bad_Bucket!", BOTFLEET_GCS_ENDPOINT: "http://127.0.0.1:9199" }, "local"), ConfigError);
  });
});

describe("export function settings", () => {
  it("starts deployed with only what infra gives it: mode, table, bucket, external_account (no secrets)", () => {
    const deps = exportDepsFromEnv({ BOTFLEET_MODE: "deployed", BOTFLEET_TABLE: "botfleet-prod", BOTFLEET_ARCHIVE_BUCKET: "botfleet-archive-prod", BOTFLEET_GCP_CREDENTIALS: JSON.stringify(EXTERNAL_ACCOUNT), AWS_REGION: "eu-west-1" });
    assert.equal(deps.tableName, "botfleet-prod");
    assert.equal(deps.archive.bucket, "botfleet-archive-prod");
    assert.throws(() => exportDepsFromEnv({ BOTFLEET_MODE: "deployed" }), ConfigError);
  });
});

import { strict as assert } from "node:assert";
import { ProjectApis } from "../../../infra/gcp/apis";
import { ARCHIVE_READER_PERMISSIONS, ARCHIVE_WRITER_PERMISSIONS, Archive } from "../../../infra/gcp/archive";
import { apiRoleName, deploymentSuffixOf, exportRoleName } from "../../../infra/naming";
import { gcpProjectNumber } from "../../../tools/program/mockState";
import { type ProgramRun, type RegisteredResource, runProgram } from "../../../tools/program/runUnderMocks";
import { buildUnderMocks, type ComponentRun, oneOf } from "../cloudflare/underMocks";

function only(run: ProgramRun, type: string): RegisteredResource {
  const found = run.resources.filter((r) => r.type === type);
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0] as RegisteredResource;
}

function all(run: ProgramRun, type: string): RegisteredResource[] {
  return run.resources.filter((r) => r.type === type);
}

const DAY = 86_400;

for (const stack of ["dev", "prod"] as const) {
  describe(`gcp archive: ${stack} stack (whole program under mocks)`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram(stack);
    });

    it("puts the key ring and a rotated ENCRYPT_DECRYPT key in the stack's region", () => {
      const ring = only(run, "gcp:kms/keyRing:KeyRing");
      const key = only(run, "gcp:kms/cryptoKey:CryptoKey");
      assert.equal(ring.inputs.location, run.settings.gcp.region);
      assert.equal(ring.inputs.name, undefined, "auto-named: a key ring outlives pulumi destroy, so each deployment gets a new name");
      assert.match(String(ring.wireOutputs.name), /^archive-keyring-[0-9a-f]{7}$/);
      assert.equal(key.inputs.keyRing, `projects/${run.settings.gcp.project}/locations/${run.settings.gcp.region}/keyRings/${String(ring.wireOutputs.name)}`);
      assert.equal(key.inputs.purpose, "ENCRYPT_DECRYPT");
      assert.equal(key.inputs.rotationPeriod, `${run.settings.archive.kmsRotationDays * DAY}s`);
      assert.equal(run.settings.archive.kmsRotationDays, 90);
      assert.equal(key.inputs.rotationPeriod, "7776000s");
    });

    it("grants encrypt/decrypt on that key, and only that key, to the project's GCS service agent", () => {
      const grants = all(run, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
      assert.equal(grants.length, 1);
      const key = only(run, "gcp:kms/cryptoKey:CryptoKey");
      assert.deepEqual(
        { key: grants[0]?.inputs.cryptoKeyId, role: grants[0]?.inputs.role, member: grants[0]?.inputs.member },
        {
          key: `${key.name}-id`,
          role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
          member: `serviceAccount:service-${gcpProjectNumber(run.settings.gcp.project)}@gs-project-accounts.iam.gserviceaccount.com`,
        },
      );
      assert.equal(all(run, "gcp:kms/keyRingIAMMember:KeyRingIAMMember").length, 0, "nothing on the whole key ring");
    });

    it("creates a CMEK-only, uniform, non-public, versioned bucket in the region", () => {
      const bucket = only(run, "gcp:storage/bucket:Bucket");
      const key = only(run, "gcp:kms/cryptoKey:CryptoKey");
      assert.equal(bucket.inputs.location, run.settings.gcp.region.toUpperCase());
      assert.deepEqual(bucket.inputs.encryption, {
        defaultKmsKeyName: `${key.name}-id`,
        googleManagedEncryptionEnforcementConfig: { restrictionMode: "FullyRestricted" },
        customerSuppliedEncryptionEnforcementConfig: { restrictionMode: "FullyRestricted" },
      });
      assert.equal(bucket.inputs.uniformBucketLevelAccess, true);
      assert.equal(bucket.inputs.publicAccessPrevention, "enforced");
      assert.deepEqual(bucket.inputs.versioning, { enabled: true });
      assert.equal(bucket.inputs.name, `botfleet-${stack}-archive-${run.settings.gcp.project}`);
    });

    it("ages exports to COLDLINE, deletes them and their noncurrent versions, from the stack's settings", () => {
      const bucket = only(run, "gcp:storage/bucket:Bucket");
      const { coldAfterDays, deleteAfterDays, softDeleteDays } = run.settings.archive;
      assert.deepEqual(bucket.inputs.lifecycleRules, [
        { action: { type: "SetStorageClass", storageClass: "COLDLINE" }, condition: { age: coldAfterDays, matchesStorageClasses: ["STANDARD"], withState: "LIVE" } },
        { action: { type: "Delete" }, condition: { age: deleteAfterDays, withState: "LIVE" } },
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: coldAfterDays, withState: "ARCHIVED" } },
      ]);
      assert.deepEqual(bucket.inputs.softDeletePolicy, { retentionDurationSeconds: softDeleteDays * DAY });
      // The two stacks really differ where their files say so.
      assert.deepEqual(
        { deleteAfterDays, softDeleteDays },
        stack === "prod" ? { deleteAfterDays: 2555, softDeleteDays: 30 } : { deleteAfterDays: 365, softDeleteDays: 7 },
      );
    });

    it(stack === "prod" ? "never force-destroys the prod bucket" : "lets the dev bucket be destroyed with its test exports", () => {
      assert.equal(only(run, "gcp:storage/bucket:Bucket").inputs.forceDestroy, stack !== "prod");
    });

    it("labels the bucket and key with project, environment and stack", () => {
      for (const type of ["gcp:storage/bucket:Bucket", "gcp:kms/cryptoKey:CryptoKey"]) {
        assert.deepEqual(only(run, type).inputs.labels, { project: "botfleet", environment: stack, stack });
      }
    });

    it("trusts only this stack's AWS account, and only sessions of the export and api roles", () => {
      const provider = only(run, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
      assert.deepEqual(provider.inputs.aws, { accountId: run.settings.aws.accountId });
      const account = run.settings.aws.accountId;
      assert.equal(
        provider.inputs.attributeCondition,
        `attribute.aws_role == "arn:aws:sts::${account}:assumed-role/botfleet-${stack}-export" || ` +
          `attribute.aws_role == "arn:aws:sts::${account}:assumed-role/botfleet-${stack}-api"`,
      );
      assert.equal(exportRoleName(run.settings), `botfleet-${stack}-export`);
      assert.equal(apiRoleName(run.settings), `botfleet-${stack}-api`);
      const mapping = provider.inputs.attributeMapping as Record<string, string>;
      assert.equal(mapping["google.subject"], "assertion.arn");
      assert.match(mapping["attribute.aws_role"] ?? "", /assertion\.arn\.extract\('assumed-role\/\{role_name\}\/'\)/);
      assert.equal(provider.inputs.oidc, undefined);
      assert.equal(provider.inputs.saml, undefined);
    });

    it("grants the writer and reader service accounts only object permissions, on the archive bucket only", () => {
      const accounts = all(run, "gcp:serviceaccount/account:Account");
      const emailOf = (accountId: string) => `${accountId}@${run.settings.gcp.project}.iam.gserviceaccount.com`;
      assert.deepEqual(accounts.map((a) => a.inputs.accountId).sort(), [`botfleet-${stack}-archive-reader`, `botfleet-${stack}-export`]);
      const roles = new Map(all(run, "gcp:projects/iAMCustomRole:IAMCustomRole").map((r) => [r.inputs.roleId, r.inputs.permissions]));
      const suffix = deploymentSuffixOf(String(only(run, "gcp:kms/keyRing:KeyRing").wireOutputs.name));
      assert.deepEqual(roles.get(`botfleet_${stack}_archive_writer_${suffix}`), [
        "storage.objects.create",
        "storage.objects.get",
        "storage.objects.update",
        "storage.objects.delete",
      ]);
      assert.deepEqual(roles.get(`botfleet_${stack}_archive_writer_${suffix}`), [...ARCHIVE_WRITER_PERMISSIONS]);
      assert.deepEqual(roles.get(`botfleet_${stack}_archive_reader_${suffix}`), ["storage.objects.get"]);
      assert.deepEqual(roles.get(`botfleet_${stack}_archive_reader_${suffix}`), [...ARCHIVE_READER_PERMISSIONS]);
      const bindings = all(run, "gcp:storage/bucketIAMMember:BucketIAMMember");
      const bucket = only(run, "gcp:storage/bucket:Bucket");
      const roleId = (name: string) => `projects/${run.settings.gcp.project}/roles/botfleet_${stack}_archive_${name}_${suffix}`;
      assert.deepEqual(
        bindings.map((b) => ({ bucket: b.inputs.bucket, role: b.inputs.role, member: b.inputs.member })),
        [
          { bucket: bucket.inputs.name, role: roleId("writer"), member: `serviceAccount:${emailOf(`botfleet-${stack}-export`)}` },
          { bucket: bucket.inputs.name, role: roleId("reader"), member: `serviceAccount:${emailOf(`botfleet-${stack}-archive-reader`)}` },
        ],
      );
    });

    it("grants nothing at project, folder or organisation level, and creates no service account key", () => {
      const forbidden = /^gcp:(projects|organizations|folder)\/.*IAM(Member|Binding|Policy)|^gcp:serviceaccount\/key:Key$|^gcp:storage\/bucketIAM(Binding|Policy)/;
      const offending = run.resources.filter((r) => forbidden.test(r.type)).map((r) => r.type);
      assert.deepEqual(offending, []);
      assert.equal(run.resources.filter((r) => r.type.startsWith("gcp:serviceaccount/key")).length, 0);
    });

    it("lets each role's principal set impersonate only its own service account (export → writer, api → reader)", () => {
      const pool = only(run, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool");
      const number = gcpProjectNumber(run.settings.gcp.project);
      const project = run.settings.gcp.project;
      const principal = (role: string) =>
        `principalSet://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/${String(pool.inputs.workloadIdentityPoolId)}/attribute.aws_role/arn:aws:sts::${run.settings.aws.accountId}:assumed-role/botfleet-${stack}-${role}`;
      const serviceAccount = (id: string) => `projects/${project}/serviceAccounts/${id}@${project}.iam.gserviceaccount.com`;
      assert.deepEqual(
        all(run, "gcp:serviceaccount/iAMMember:IAMMember").map((b) => ({ sa: b.inputs.serviceAccountId, role: b.inputs.role, member: b.inputs.member })),
        [
          { sa: serviceAccount(`botfleet-${stack}-export`), role: "roles/iam.workloadIdentityUser", member: principal("export") },
          { sa: serviceAccount(`botfleet-${stack}-archive-reader`), role: "roles/iam.workloadIdentityUser", member: principal("api") },
        ],
      );
    });

    it("exports the bucket name", () => {
      assert.equal(run.outputs.archiveBucket, `botfleet-${stack}-archive-${run.settings.gcp.project}`);
    });
  });
}

describe("gcp archive component: resource options and outputs", () => {
  const runs: Partial<Record<"dev" | "prod", ComponentRun<{ bucketName: string; credentialConfig: string }>>> = {};
  before(async () => {
    for (const stack of ["dev", "prod"] as const) {
      runs[stack] = await buildUnderMocks(stack, (settings, providers) => {
        const apis = new ProjectApis("gcp-apis", { settings }, { provider: providers.gcp });
        const archive = new Archive("archive", { settings, apis }, { provider: providers.gcp });
        return { bucketName: archive.bucketName, credentialConfig: archive.credentialConfig };
      });
    }
  });

  it("protects the key ring, key and bucket in prod and not in dev", () => {
    for (const [stack, run] of Object.entries(runs)) {
      for (const type of ["gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKey:CryptoKey", "gcp:storage/bucket:Bucket"]) {
        assert.equal(oneOf(run.resources, type).protect, stack === "prod", `${type} protect in ${stack}`);
      }
    }
  });

  it("creates the bucket only after the GCS agent may use the key", () => {
    const run = runs.prod;
    assert.ok(run);
    const bucket = oneOf(run.resources, "gcp:storage/bucket:Bucket");
    const grant = oneOf(run.resources, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    assert.ok(bucket.dependencies.includes(grant.urn), "bucket dependsOn the key grant");
  });

  it("parents every child to the component", () => {
    const run = runs.dev;
    assert.ok(run);
    const component = oneOf(run.resources, "botfleet:gcp:Archive");
    const apis = oneOf(run.resources, "botfleet:gcp:ProjectApis");
    for (const r of run.resources.filter((x) => x.type.startsWith("gcp:") && x.custom && x.parent !== apis.urn)) {
      assert.equal(r.parent, component.urn, `${r.type} is a child of the archive`);
    }
  });

  it("outputs an external_account config whose audience is the pool provider, for the export SA", () => {
    const run = runs.prod;
    assert.ok(run);
    const config = JSON.parse(run.outputs.credentialConfig) as Record<string, unknown>;
    const number = gcpProjectNumber(run.settings.gcp.project);
    const ring = oneOf(run.resources, "gcp:kms/keyRing:KeyRing");
    const poolId = `botfleet-prod-aws-${deploymentSuffixOf(String(ring.wireOutputs.name))}`;
    assert.deepEqual(config, {
      universe_domain: "googleapis.com",
      type: "external_account",
      audience: `//iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/${poolId}/providers/export-aws`,
      subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/botfleet-prod-export@${run.settings.gcp.project}.iam.gserviceaccount.com:generateAccessToken`,
      token_url: "https://sts.googleapis.com/v1/token",
      credential_source: {
        environment_id: "aws1",
        regional_cred_verification_url: "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
      },
    });
    assert.doesNotMatch(run.outputs.credentialConfig, /private_key|client_secret|"token"/);
  });
});

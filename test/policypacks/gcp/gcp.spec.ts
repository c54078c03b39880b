import { gcpIamDisallowPrimitiveRoles } from "../../../policypacks/security/gcp/iam/disallowPrimitiveRoles";
import { gcpIamDisallowProjectStorageRolesForServiceAccounts } from "../../../policypacks/security/gcp/iam/disallowProjectStorageRolesForServiceAccounts";
import { gcpIamDisallowPublicMembers } from "../../../policypacks/security/gcp/iam/disallowPublicMembers";
import { gcpIamWorkloadIdentityProviderRequireAttributeCondition } from "../../../policypacks/security/gcp/iam/workloadIdentityPoolProvider/requireAttributeCondition";
import { gcpKmsCryptoKeyRequireRotation } from "../../../policypacks/security/gcp/kms/cryptoKey/requireRotation";
import { gcpServiceaccountKeyDisallowCreation } from "../../../policypacks/security/gcp/serviceaccount/key/disallowKeys";
import { gcpStorageBucketRequireCmek } from "../../../policypacks/security/gcp/storage/bucket/requireCmek";
import { gcpStorageBucketRequirePublicAccessPrevention } from "../../../policypacks/security/gcp/storage/bucket/requirePublicAccessPrevention";
import { gcpStorageBucketRequireUniformAccess } from "../../../policypacks/security/gcp/storage/bucket/requireUniformAccess";
import { gcpStorageBucketRequireVersioning } from "../../../policypacks/security/gcp/storage/bucket/requireVersioning";
import { analyze, expectClean, expectViolation, withProp } from "../harness";

const BUCKET = "gcp:storage/bucket:Bucket";
const bucket = {
  name: "botfleet-dev-archive",
  location: "EUROPE-WEST1",
  encryption: { defaultKmsKeyName: "projects/botfleet-dev/locations/europe-west1/keyRings/botfleet/cryptoKeys/archive" },
  publicAccessPrevention: "enforced",
  uniformBucketLevelAccess: true,
  versioning: { enabled: true },
};
const bucketCases = [
  { policy: gcpStorageBucketRequireCmek, change: ["encryption", undefined], what: "without a default KMS key" },
  { policy: gcpStorageBucketRequirePublicAccessPrevention, change: ["publicAccessPrevention", "inherited"], what: "with public access prevention inherited" },
  { policy: gcpStorageBucketRequireUniformAccess, change: ["uniformBucketLevelAccess", false], what: "with per-object ACLs" },
  { policy: gcpStorageBucketRequireVersioning, change: ["versioning.enabled", false], what: "without versioning" },
] as const;

describe("policy pack: GCP", () => {
  describe("archive buckets", () => {
    for (const { policy, change, what } of bucketCases) {
      it(`${policy.name}: accepts the baseline, rejects a bucket ${what}`, async () => {
        expectClean(await analyze(policy, { type: BUCKET, props: bucket }));
        expectViolation(await analyze(policy, { type: BUCKET, props: withProp(bucket, change[0], change[1]) }), policy.name);
      });
    }
  });

  describe("Cloud KMS keys", () => {
    const key = { keyRing: "projects/p/locations/europe-west1/keyRings/botfleet", rotationPeriod: "7776000s" };
    it("accepts a key with a rotation period", async () => {
      expectClean(await analyze(gcpKmsCryptoKeyRequireRotation, { type: "gcp:kms/cryptoKey:CryptoKey", props: key }));
    });
    it("rejects a key without rotation", async () => {
      const props = withProp(key, "rotationPeriod", undefined);
      expectViolation(await analyze(gcpKmsCryptoKeyRequireRotation, { type: "gcp:kms/cryptoKey:CryptoKey", props }), "gcp-kms-crypto-key-require-rotation");
    });
  });

  describe("IAM", () => {
    const member = { bucket: "botfleet-dev-archive", role: "roles/storage.objectCreator", member: "serviceAccount:export@botfleet-dev.iam.gserviceaccount.com" };
    const BUCKET_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember";
    const PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember";
    it("accepts a bucket-level object creator grant to the export service account", async () => {
      for (const policy of [gcpIamDisallowPrimitiveRoles, gcpIamDisallowPublicMembers]) {
        expectClean(await analyze(policy, { type: BUCKET_MEMBER, props: member }));
      }
    });
    for (const role of ["roles/owner", "roles/editor", "roles/viewer"]) {
      it(`rejects the primitive role ${role} on the project`, async () => {
        const props = { project: "botfleet-dev", role, member: "user:someone@example.com" };
        expectViolation(await analyze(gcpIamDisallowPrimitiveRoles, { type: PROJECT_MEMBER, props }), "gcp-iam-disallow-primitive-roles");
      });
    }
    it("rejects roles/editor inside a project IAMPolicy document", async () => {
      const policyData = JSON.stringify({ bindings: [{ role: "roles/editor", members: ["group:ops@example.com"] }] });
      const found = await analyze(gcpIamDisallowPrimitiveRoles, { type: "gcp:projects/iAMPolicy:IAMPolicy", props: { project: "p", policyData } });
      expectViolation(found, "gcp-iam-disallow-primitive-roles");
    });
    for (const publicMember of ["allUsers", "allAuthenticatedUsers"]) {
      it(`rejects ${publicMember} on the bucket`, async () => {
        const props = withProp(member, "member", publicMember);
        expectViolation(await analyze(gcpIamDisallowPublicMembers, { type: BUCKET_MEMBER, props }), "gcp-iam-disallow-public-members");
      });
    }
    it("rejects allUsers in a bucket IAMBinding members list", async () => {
      const props = { bucket: "b", role: "roles/storage.objectViewer", members: ["serviceAccount:x@p.iam.gserviceaccount.com", "allUsers"] };
      expectViolation(await analyze(gcpIamDisallowPublicMembers, { type: "gcp:storage/bucketIAMBinding:BucketIAMBinding", props }), "gcp-iam-disallow-public-members");
    });
    it("rejects a project-level storage role for a workload service account", async () => {
      const props = { project: "botfleet-dev", role: "roles/storage.objectAdmin", member: member.member };
      const found = await analyze(gcpIamDisallowProjectStorageRolesForServiceAccounts, { type: PROJECT_MEMBER, props });
      expectViolation(found, "gcp-iam-disallow-project-storage-roles-for-service-accounts");
    });
    it("rejects a project-level storage role for a federated principal set", async () => {
      const props = { project: "botfleet-dev", role: "roles/storage.objectCreator", members: ["principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/aws/*"] };
      const found = await analyze(gcpIamDisallowProjectStorageRolesForServiceAccounts, { type: "gcp:projects/iAMBinding:IAMBinding", props });
      expectViolation(found, "gcp-iam-disallow-project-storage-roles-for-service-accounts");
    });
    it("accepts the same storage role granted on the bucket", async () => {
      expectClean(await analyze(gcpIamDisallowProjectStorageRolesForServiceAccounts, { type: BUCKET_MEMBER, props: member }));
    });
  });

  describe("keyless identities", () => {
    it("rejects any service account key", async () => {
      const found = await analyze(gcpServiceaccountKeyDisallowCreation, { type: "gcp:serviceaccount/key:Key", props: { serviceAccountId: "export" } });
      expectViolation(found, "gcp-serviceaccount-key-disallow-creation");
    });
    const provider = {
      workloadIdentityPoolId: "botfleet-aws",
      workloadIdentityPoolProviderId: "aws",
      aws: { accountId: "111111111111" },
      attributeMapping: { "google.subject": "assertion.arn", "attribute.aws_role": "assertion.arn.extract('assumed-role/{role}/')" },
      attributeCondition: "attribute.aws_role == 'botfleet-dev-export'",
    };
    const TYPE = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";
    it("accepts a workload identity provider with an attribute condition", async () => {
      expectClean(await analyze(gcpIamWorkloadIdentityProviderRequireAttributeCondition, { type: TYPE, props: provider }));
    });
    it("rejects a workload identity provider without an attribute condition", async () => {
      const props = withProp(provider, "attributeCondition", undefined);
      expectViolation(await analyze(gcpIamWorkloadIdentityProviderRequireAttributeCondition, { type: TYPE, props }), "gcp-iam-workload-identity-provider-require-attribute-condition");
    });
  });
});

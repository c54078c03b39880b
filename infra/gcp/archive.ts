import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../config";
import { apiRoleName, archiveBucketName, archiveRoleId, deploymentSuffixOf, exportRoleName, exportServiceAccountId, readerServiceAccountId, workloadIdentityPoolId } from "../naming";
import type { ProjectApis } from "./apis";
import { archiveLifecycleRules, daysToSeconds, kmsDuration } from "./archiveLifecycle";
import { externalAccountCredentialConfig } from "./credentialConfig";
import { AWS_ATTRIBUTE_MAPPING, onlyRolesCondition, rolePrincipalSet } from "./workloadIdentity";

export interface ArchiveArgs {
  /**
   * Stack settings. Read: `gcp.region` (bucket and key location), `archive.*` (key rotation,
   * lifecycle, soft delete), `aws.accountId` + the export role's name (the only identity admitted),
   * `productionGrade` (protects the key and bucket, turns force-destroy off). Nothing here can turn off CMEK,
   * uniform access, public access prevention, versioning or the role condition.
   */
  readonly settings: Settings;
  /** The project's APIs, enabled by the program: each resource waits for the API it is created through. */
  readonly apis: ProjectApis;
}

/**
 * What the export identity may do to objects, granted on the archive bucket only (a custom role:
 * no predefined role has exactly this set). One line per call runtime/adapters/gcsArchive.ts makes.
 * No bucket or IAM permission: it cannot change retention, versioning, lifecycle or who has access.
 */
export const ARCHIVE_WRITER_PERMISSIONS = [
  "storage.objects.create", // createFrom: upload with ifGenerationMatch=0
  "storage.objects.get", // describe / openRead: metadata and contents of one generation
  "storage.objects.update", // addMetadata: record count + sha256, ifMetagenerationMatch
  "storage.objects.delete", // deleteGeneration: a half-written object, at its generation only (versioning + soft delete keep it)
] as const;

/**
 * What the api function may do to objects: find a finished export and stream it to an admin
 * (GET /api/exports/{id}/download). Read only; granted on the archive bucket only.
 */
export const ARCHIVE_READER_PERMISSIONS = [
  "storage.objects.get", // describe / openRead of one generation
] as const;

export const KMS_ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter";
export const WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";

/**
 * The export archive in GCS and the keyless path to it from AWS.
 *
 * - Cloud KMS key ring + key (rotated), usable only by this project's GCS service agent.
 * - Bucket: CMEK by default and CMEK only (Google-managed and customer-supplied keys refused),
 *   uniform bucket-level access, public access prevention enforced, versioning, lifecycle, soft delete.
 * - Workload Identity pool whose AWS provider trusts this stack's account, and only sessions of the
 *   export function's role; a service account with object permissions on this bucket alone (the
 *   custom role below) that only that role may impersonate. No service account key exists anywhere.
 */
export class Archive extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  /** external_account credential configuration JSON for the export function (no secret in it). */
  readonly credentialConfig: pulumi.Output<string>;
  /** The same for the api function: impersonates the read-only service account. */
  readonly readerCredentialConfig: pulumi.Output<string>;
  readonly serviceAccountEmail: pulumi.Output<string>;
  readonly readerServiceAccountEmail: pulumi.Output<string>;
  readonly kmsKeyId: pulumi.Output<string>;
  readonly nodes: {
    readonly keyRing: gcp.kms.KeyRing;
    readonly key: gcp.kms.CryptoKey;
    readonly bucket: gcp.storage.Bucket;
    readonly pool: gcp.iam.WorkloadIdentityPool;
    readonly provider: gcp.iam.WorkloadIdentityPoolProvider;
    readonly serviceAccount: gcp.serviceaccount.Account;
    readonly readerServiceAccount: gcp.serviceaccount.Account;
  };

  constructor(name: string, args: ArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:gcp:Archive", name, {}, opts);
    const { settings, apis } = args;

    const { keyRing, key, keyGrant } = this.createKey(name, settings, apis);
    // Ids GCP keeps after a delete carry this deployment's suffix (infra/naming.ts says why).
    const suffix = keyRing.name.apply(deploymentSuffixOf);
    const bucket = this.createBucket(name, settings, key, keyGrant, apis);
    const { pool, provider } = this.createIdentityPool(name, settings, suffix, apis);
    const serviceAccount = this.createExportServiceAccount(name, settings, bucket, pool, suffix, apis);
    const readerServiceAccount = this.createReaderServiceAccount(name, settings, bucket, pool, suffix, apis);

    this.bucketName = bucket.name;
    this.kmsKeyId = key.id;
    this.serviceAccountEmail = serviceAccount.email;
    this.readerServiceAccountEmail = readerServiceAccount.email;
    const configFor = (account: gcp.serviceaccount.Account) =>
      pulumi
        .all([provider.name, account.email])
        .apply(([providerName, serviceAccountEmail]) => JSON.stringify(externalAccountCredentialConfig({ providerName, serviceAccountEmail })));
    this.credentialConfig = configFor(serviceAccount);
    this.readerCredentialConfig = configFor(readerServiceAccount);
    this.nodes = { keyRing, key, bucket, pool, provider, serviceAccount, readerServiceAccount };

    this.registerOutputs({
      bucketName: this.bucketName,
      credentialConfig: this.credentialConfig,
      readerCredentialConfig: this.readerCredentialConfig,
      serviceAccountEmail: this.serviceAccountEmail,
      readerServiceAccountEmail: this.readerServiceAccountEmail,
      kmsKeyId: this.kmsKeyId,
    });
  }

  private createKey(name: string, settings: Settings, apis: ProjectApis) {
    const protect = settings.productionGrade;
    const kms = { dependsOn: [apis.services.cloudkms] };
    // No name: Pulumi auto-names it (`archive-keyring-<7 hex>`), a new name for each deployment,
    // because a key ring outlives `pulumi destroy` for ever. Its suffix names the other such ids.
    const keyRing = new gcp.kms.KeyRing(`${name}-keyring`, { location: settings.gcp.region }, { parent: this, protect, ...kms });
    const key = new gcp.kms.CryptoKey(
      `${name}-key`,
      {
        name: "archive",
        keyRing: keyRing.id,
        purpose: "ENCRYPT_DECRYPT",
        rotationPeriod: kmsDuration(settings.archive.kmsRotationDays),
        versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" },
        labels: this.labels(settings),
      },
      { parent: this, protect, ...kms },
    );
    // The bucket encrypts through its project's GCS service agent; it gets this key and no other.
    const agent = gcp.storage.getProjectServiceAccountOutput({ project: settings.gcp.project }, { parent: this, dependsOn: [apis.services.storage] });
    const keyGrant = new gcp.kms.CryptoKeyIAMMember(
      `${name}-key-gcs-agent`,
      { cryptoKeyId: key.id, role: KMS_ENCRYPTER_DECRYPTER, member: pulumi.interpolate`serviceAccount:${agent.emailAddress}` },
      { parent: this, ...kms },
    );
    return { keyRing, key, keyGrant };
  }

  private createBucket(name: string, settings: Settings, key: gcp.kms.CryptoKey, keyGrant: gcp.kms.CryptoKeyIAMMember, apis: ProjectApis) {
    return new gcp.storage.Bucket(
      `${name}-bucket`,
      {
        // Bucket names are global: the project id keeps two deployments from colliding.
        name: archiveBucketName(settings),
        location: settings.gcp.region.toUpperCase(),
        storageClass: "STANDARD",
        encryption: {
          defaultKmsKeyName: key.id,
          googleManagedEncryptionEnforcementConfig: { restrictionMode: "FullyRestricted" },
          customerSuppliedEncryptionEnforcementConfig: { restrictionMode: "FullyRestricted" },
        },
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        versioning: { enabled: true },
        lifecycleRules: archiveLifecycleRules(settings.archive).map((rule) => ({
          action: { ...rule.action },
          condition: { ...rule.condition, matchesStorageClasses: rule.condition.matchesStorageClasses && [...rule.condition.matchesStorageClasses] },
        })),
        softDeletePolicy: { retentionDurationSeconds: daysToSeconds(settings.archive.softDeleteDays) },
        // Non-production stacks must be destroyable with their test exports in them; a production-grade one never deletes data
        // through `pulumi destroy` (and the bucket is protected as well).
        forceDestroy: !settings.productionGrade,
        labels: this.labels(settings),
      },
      { parent: this, protect: settings.productionGrade, dependsOn: [keyGrant, apis.services.storage] },
    );
  }

  private createIdentityPool(name: string, settings: Settings, suffix: pulumi.Output<string>, apis: ProjectApis) {
    // Pools and providers are IAM resources; what they issue is exchanged through STS (federation)
    // and then IAM Credentials (impersonation), so no token path exists before all three are on.
    const federation = { dependsOn: [apis.services.iam, apis.services.sts, apis.services.iamcredentials] };
    const pool = new gcp.iam.WorkloadIdentityPool(
      `${name}-pool`,
      {
        workloadIdentityPoolId: suffix.apply((s) => workloadIdentityPoolId(settings, s)),
        displayName: `${settings.prefix} AWS`,
        description: `AWS account ${settings.aws.accountId}: the botfleet export and api functions only`,
      },
      { parent: this, ...federation },
    );
    const provider = new gcp.iam.WorkloadIdentityPoolProvider(
      `${name}-pool-aws`,
      {
        workloadIdentityPoolId: pool.workloadIdentityPoolId,
        workloadIdentityPoolProviderId: "export-aws",
        displayName: "botfleet export + api (AWS)",
        aws: { accountId: settings.aws.accountId },
        attributeMapping: { ...AWS_ATTRIBUTE_MAPPING },
        // Only these two roles get a token at all; which service account each may impersonate is
        // decided by the workloadIdentityUser bindings below (export → writer, api → reader).
        attributeCondition: onlyRolesCondition(settings.aws.accountId, [exportRoleName(settings), apiRoleName(settings)]),
      },
      { parent: this, ...federation },
    );
    return { pool, provider };
  }

  private createExportServiceAccount(
    name: string,
    settings: Settings,
    bucket: gcp.storage.Bucket,
    pool: gcp.iam.WorkloadIdentityPool,
    suffix: pulumi.Output<string>,
    apis: ProjectApis,
  ) {
    return this.createFederatedServiceAccount(name, settings, bucket, pool, suffix, apis, {
      resource: "export",
      accountId: exportServiceAccountId(settings),
      displayName: "botfleet export (federated from AWS)",
      description: "Writes daily exports to the archive bucket; impersonated only by the AWS export role, never through a key.",
      role: "writer",
      roleDescription: "Create, read, annotate and delete (by generation) export objects; nothing on the bucket itself",
      permissions: ARCHIVE_WRITER_PERMISSIONS,
      awsRoleName: exportRoleName(settings),
    });
  }

  private createReaderServiceAccount(
    name: string,
    settings: Settings,
    bucket: gcp.storage.Bucket,
    pool: gcp.iam.WorkloadIdentityPool,
    suffix: pulumi.Output<string>,
    apis: ProjectApis,
  ) {
    return this.createFederatedServiceAccount(name, settings, bucket, pool, suffix, apis, {
      resource: "api",
      accountId: readerServiceAccountId(settings),
      displayName: "botfleet archive reader (federated from AWS)",
      description: "Reads finished exports for admins' downloads; impersonated only by the AWS api role, never through a key.",
      role: "reader",
      roleDescription: "Read export objects; nothing else",
      permissions: ARCHIVE_READER_PERMISSIONS,
      awsRoleName: apiRoleName(settings),
    });
  }

  /**
   * A service account that one AWS role impersonates through the pool: a custom role with exactly
   * `permissions`, defined in the project but granted on the archive bucket only, and
   * workloadIdentityUser for that role's principal set alone.
   */
  private createFederatedServiceAccount(
    name: string,
    settings: Settings,
    bucket: gcp.storage.Bucket,
    pool: gcp.iam.WorkloadIdentityPool,
    suffix: pulumi.Output<string>,
    apis: ProjectApis,
    identity: {
      readonly resource: string;
      readonly accountId: string;
      readonly displayName: string;
      readonly description: string;
      readonly role: "writer" | "reader";
      readonly roleDescription: string;
      readonly permissions: readonly string[];
      readonly awsRoleName: string;
    },
  ) {
    const iam = { dependsOn: [apis.services.iam] };
    const serviceAccount = new gcp.serviceaccount.Account(
      `${name}-${identity.role === "writer" ? "export" : "reader"}-sa`,
      { accountId: identity.accountId, displayName: identity.displayName, description: identity.description },
      { parent: this, ...iam },
    );
    const role = new gcp.projects.IAMCustomRole(
      `${name}-${identity.role}-role`,
      {
        roleId: suffix.apply((s) => archiveRoleId(settings, identity.role, s)),
        title: `botfleet ${settings.nameToken} archive ${identity.role}`,
        description: identity.roleDescription,
        permissions: [...identity.permissions],
        stage: "GA",
      },
      { parent: this, ...iam },
    );
    new gcp.storage.BucketIAMMember(
      `${name}-${identity.resource}-${identity.role}`,
      { bucket: bucket.name, role: role.name, member: pulumi.interpolate`serviceAccount:${serviceAccount.email}` },
      { parent: this },
    );
    new gcp.serviceaccount.IAMMember(
      `${name}-${identity.resource}-wif`,
      {
        serviceAccountId: serviceAccount.name,
        role: WORKLOAD_IDENTITY_USER,
        member: pool.name.apply((poolName) => rolePrincipalSet(poolName, settings.aws.accountId, identity.awsRoleName)),
      },
      { parent: this, ...iam },
    );
    return serviceAccount;
  }

  private labels(settings: Settings): Record<string, string> {
    // Label values allow no capital or period (the name token has none); dev and prod keep the values they had.
    return { project: "botfleet", environment: settings.nameToken, stack: settings.nameToken };
  }
}

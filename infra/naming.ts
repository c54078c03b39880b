import { createHash } from "node:crypto";
import type { Settings } from "./config";

/**
 * `name` when it fits in `max` characters, else its first characters and 7 hex digits of its SHA-256,
 * so a long stack name still gives a valid, stable and distinct id. Names that fit (every dev and
 * prod name) are returned unchanged: a renamed physical id would replace the resource.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 7);
  return `${name.slice(0, max - hash.length - 1).replace(/[-_]+$/, "")}-${hash}`;
}

/**
 * GCP service account ids are 6-30 characters of [a-z0-9-], starting with a letter
 * (https://cloud.google.com/iam/docs/service-accounts-create#creating).
 */
const SERVICE_ACCOUNT_ID_MAX = 30;

/** The export function's GCP identity (the archive's writer). */
export function exportServiceAccountId(settings: Settings): string {
  return fitName(`${settings.prefix}-export`, SERVICE_ACCOUNT_ID_MAX);
}

/** Bucket names are 3-63 characters (https://cloud.google.com/storage/docs/buckets#naming); the project keeps them unique. */
export function archiveBucketName(settings: Settings): string {
  return fitName(`${settings.prefix}-archive-${settings.gcp.project}`, 63);
}

/** The api function's GCP identity (reads finished exports). */
export function readerServiceAccountId(settings: Settings): string {
  return fitName(`${settings.prefix}-archive-reader`, SERVICE_ACCOUNT_ID_MAX);
}

/**
 * Physical names that two clouds must agree on before either resource exists. The export and api
 * functions' roles are named here so GCP's Workload Identity condition can name them without
 * waiting for AWS (and AWS can consume GCP's credential configs without a cycle).
 */
export function exportRoleName(settings: Settings): string {
  return `${settings.prefix}-export`;
}

/** The api function's role: GCP admits it read-only, for downloads of finished exports. */
export function apiRoleName(settings: Settings): string {
  return `${settings.prefix}-api`;
}

export function exportRoleArn(settings: Settings): string {
  return `arn:aws:iam::${settings.aws.accountId}:role/${exportRoleName(settings)}`;
}

/**
 * Names GCP keeps after a delete. A Cloud KMS key ring (and its keys) can never be deleted
 * (https://cloud.google.com/kms/docs/resource-hierarchy#retrieval-of-resources); a deleted Workload
 * Identity pool, and its providers, is kept 30 days and its id cannot be reused meanwhile
 * (https://cloud.google.com/iam/docs/manage-workload-identity-pools-providers#delete-pool); a deleted
 * custom role id stays taken for 7 days, then 37 more until it is purged
 * (https://cloud.google.com/iam/docs/creating-custom-roles#deleting-custom-role). A stack recreated
 * after `pulumi destroy` would collide with every one of them, so each carries the deployment's
 * suffix: the random part of the key ring's Pulumi auto-name, drawn when the key ring is created,
 * kept in state for the life of the deployment and drawn afresh by the next deployment.
 */
export const DEPLOYMENT_SUFFIX = /^[0-9a-f]{7}$/;

/** The random part of a Pulumi auto-name (`<logical name>-<7 hex digits>`). */
export function deploymentSuffixOf(autoName: string): string {
  const suffix = /-([0-9a-f]{7})$/.exec(autoName)?.[1];
  if (suffix === undefined || !DEPLOYMENT_SUFFIX.test(suffix)) {
    throw new Error(`expected a Pulumi auto-name ending in -<7 hex digits> (the deployment suffix); got ${JSON.stringify(autoName)}`);
  }
  return suffix;
}

/** Workload Identity pool id: 4-32 of [a-z0-9-], starting with a letter. */
export function workloadIdentityPoolId(settings: Settings, suffix: string): string {
  return fitName(`${settings.prefix}-aws-${suffix}`, 32);
}

/** Custom role id of the archive's writer or reader: [a-zA-Z0-9_.]{3,64}, no hyphen. */
export function archiveRoleId(settings: Settings, role: "writer" | "reader", suffix: string): string {
  // No hyphen allowed: the name token's hyphens become underscores (at most 9 + 24 + 16 + 7 = 56 characters).
  return `botfleet_${settings.nameToken.replace(/-/g, "_")}_archive_${role}_${suffix}`;
}

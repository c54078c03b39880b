import type { Settings } from "./config";

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
  return `${settings.prefix}-aws-${suffix}`;
}

/** Custom role id of the archive's writer or reader: [a-zA-Z0-9_.]{3,64}, no hyphen. */
export function archiveRoleId(settings: Settings, role: "writer" | "reader", suffix: string): string {
  return `botfleet_${settings.environment}_archive_${role}_${suffix}`;
}

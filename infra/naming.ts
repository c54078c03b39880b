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

import type { Settings } from "./config";

/**
 * Physical names that two clouds must agree on before either resource exists. The export
 * function's role is named here so GCP's Workload Identity condition can name it without waiting
 * for AWS (and AWS can consume GCP's credential config without a cycle).
 */
export function exportRoleName(settings: Settings): string {
  return `${settings.prefix}-export`;
}

export function exportRoleArn(settings: Settings): string {
  return `arn:aws:iam::${settings.aws.accountId}:role/${exportRoleName(settings)}`;
}

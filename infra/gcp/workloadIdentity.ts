/**
 * Workload Identity Federation expressions for one AWS role, as Google documents them for AWS
 * (https://cloud.google.com/iam/docs/workload-identity-federation-with-other-clouds). Pure.
 *
 * AWS presents the caller as `arn:aws:sts::<account>:assumed-role/<role>/<session>`; the session
 * part changes per Lambda sandbox, so the mapping strips it into `attribute.aws_role`, and both the
 * provider's condition and the service account binding name that role and nothing else.
 */

/** The STS identity of a role's sessions: what `attribute.aws_role` holds for that role. */
export function assumedRoleArn(accountId: string, roleName: string): string {
  if (!/^\d{12}$/.test(accountId)) throw new Error(`AWS account id must be 12 digits; got ${JSON.stringify(accountId)}`);
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw new Error(`IAM role name must be 1-64 of [A-Za-z0-9+=,.@_-]; got ${JSON.stringify(roleName)}`);
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}`;
}

/** google.subject is the full caller ARN (audit logs show the session); aws_role drops the session. */
export const AWS_ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = Object.freeze({
  "google.subject": "assertion.arn",
  "attribute.aws_account": "assertion.account",
  "attribute.aws_role":
    "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn",
});

/** CEL condition the pool provider evaluates before it issues any token: only this role's sessions. */
export function onlyRoleCondition(accountId: string, roleName: string): string {
  return `attribute.aws_role == "${assumedRoleArn(accountId, roleName)}"`;
}

/** The same for several roles: any one of them (each still a single, named role). */
export function onlyRolesCondition(accountId: string, roleNames: readonly string[]): string {
  if (roleNames.length === 0) throw new Error("at least one role must be admitted");
  return roleNames.map((roleName) => onlyRoleCondition(accountId, roleName)).join(" || ");
}

/** IAM member for every session of the role, within the given pool (its full resource name). */
export function rolePrincipalSet(poolName: string, accountId: string, roleName: string): string {
  if (!/^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}$/.test(poolName)) {
    throw new Error(`pool name must be projects/<number>/locations/global/workloadIdentityPools/<id>; got ${JSON.stringify(poolName)}`);
  }
  return `principalSet://iam.googleapis.com/${poolName}/attribute.aws_role/${assumedRoleArn(accountId, roleName)}`;
}

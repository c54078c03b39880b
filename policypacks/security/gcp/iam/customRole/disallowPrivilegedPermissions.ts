import { resourcePolicy } from "../../../lib/define";
import { stringList } from "../../../lib/values";

/**
 * Permissions that change who may do what or act as another identity: an admin-equivalent custom
 * role whatever its name (IAM permissions reference).
 */
const PRIVILEGED = /(\.setIamPolicy$|^iam\.serviceAccounts\.(getAccessToken|getOpenIdToken|signBlob|signJwt|actAs|implicitDelegation)$|^iam\.serviceAccountKeys\.create$|^iam\.roles\.(create|update)$|^resourcemanager\.projects\.setIamPolicy$)/;

/** Severity critical. A custom role is judged by its permissions, not its title. */
export const gcpIamCustomRoleDisallowPrivilegedPermissions = resourcePolicy({
  name: "gcp-iam-custom-role-disallow-privileged-permissions",
  description: "GCP custom roles must not include IAM-policy, impersonation or key-creation permissions.",
  severity: "critical",
  types: ["gcp:projects/iAMCustomRole:IAMCustomRole", "gcp:organizations/iAMCustomRole:IAMCustomRole"],
  check: (props) =>
    stringList(props.permissions)
      .filter((p) => PRIVILEGED.test(p))
      .map((p) => `Remove ${p}: a custom role for a workload lists only the object and key permissions it uses.`),
});

import { resourcePolicy } from "../../lib/define";
import { bindingsOf, forMembers, GCP_IAM_TYPES, isHierarchyLevel, isWorkload } from "../../lib/gcpIam";
import { decide } from "../../lib/unknowns";

/**
 * Roles that administer IAM or act as other identities (IAM roles reference,
 * https://cloud.google.com/iam/docs/understanding-roles): whoever holds one at a project, folder
 * or organization can grant themselves anything or impersonate every service account there.
 */
const IMPERSONATE_OR_ADMINISTER = /^roles\/(iam\.(serviceAccount(User|TokenCreator|Admin|KeyAdmin|OpenIdTokenCreator)|workloadIdentityUser|securityAdmin|roleAdmin|organizationRoleAdmin|denyAdmin|workloadIdentityPoolAdmin)|resourcemanager\.(projectIamAdmin|folderIamAdmin|organizationAdmin|folderAdmin|projectCreator))$/;

/** Any *.admin / *Admin predefined role: full control of a service, its IAM policies included. */
function isAdminRole(role: string): boolean {
  return /^roles\/[\w.]*(\.admin|Admin)$/.test(role);
}

/**
 * Severity critical. At project, folder or organization level (Checkov CKV_GCP_41, 42, 44, 45,
 * 49): nobody gets IAM-admin or service-account impersonation roles, and workload service accounts
 * or federated principals get no admin role at all. Grant these on the one service account or
 * resource instead (a service-account or bucket-level binding).
 */
export const gcpIamDisallowPrivilegedRoles = resourcePolicy({
  name: "gcp-iam-disallow-privileged-roles",
  description: "GCP IAM must not grant IAM-admin, impersonation or (to workloads) admin roles at project, folder or organization level.",
  severity: "critical",
  types: GCP_IAM_TYPES.filter(isHierarchyLevel),
  check: (props) =>
    bindingsOf(props).flatMap((binding) => {
      const { role } = binding;
      if (IMPERSONATE_OR_ADMINISTER.test(role)) {
        return [`Remove ${role}${forMembers(binding)} at this level: grant it on the one service account or resource that needs it.`];
      }
      if (!isAdminRole(role)) return [];
      // Whether an admin role goes to a workload depends on the member: only that part waits for `up`.
      return decide(() => binding.members().filter(isWorkload).map((m) => `Remove ${role} for workload ${m}: grant the narrow role it uses on the resource it uses.`));
    }),
});

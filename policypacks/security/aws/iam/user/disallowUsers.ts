import { resourcePolicy } from "../../../lib/define";

/** IAM users and what hangs off them: long-lived keys, console passwords, user-attached policies. */
const USER_TYPES = [
  "aws:iam/user:User",
  "aws:iam/accessKey:AccessKey",
  "aws:iam/userLoginProfile:UserLoginProfile",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/userGroupMembership:UserGroupMembership",
  "aws:iam/groupMembership:GroupMembership",
  "aws:iam/serviceSpecificCredential:ServiceSpecificCredential",
  "aws:iam/sshKey:SshKey",
];

/**
 * Severity high. People sign in through the identity provider (SSO) and CI through OIDC;
 * workloads use roles. An IAM user is a long-lived credential (access key, password) that ends up
 * in CI settings and laptops, with permissions attached outside any role (Checkov CKV_AWS_273,
 * CKV_AWS_40, CKV2_AWS_22; compliance-policies only-attachment-through-groups).
 */
export const awsIamUserDisallowCreation = resourcePolicy({
  name: "aws-iam-user-disallow-creation",
  description: "IAM users, their access keys, passwords and policies must not be created; use roles, SSO and OIDC.",
  severity: "high",
  types: USER_TYPES,
  check: () => ["Remove this IAM user resource: give workloads a role, people SSO, and CI an OIDC-assumed role."],
});

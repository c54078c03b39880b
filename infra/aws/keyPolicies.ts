import { type PolicyDocument, type PolicyStatement, policyDocument } from "./iamDocument";

/**
 * Key policies for botfleet's three customer-managed keys. Pure: account, region and prefix in,
 * policy document out, so tests read them without a Pulumi runtime.
 *
 * Why three keys and not one: each key policy can then name exactly the services that may use it.
 *  - data: DynamoDB table, Lambda environment variables, SQS queues, the SNS alarm topic.
 *  - logs: CloudWatch Logs only. Logs is the one service that calls KMS as its own service
 *    principal, so its grant must not extend to the table's data.
 *  - secrets: Secrets Manager only. Who can decrypt a bot token is then decided by one key policy
 *    plus each function's GetSecretValue grant, independent of who can read the table.
 *
 * The account root gets the key-management actions (that delegates them to IAM, e.g. the deploy
 * role) but deliberately not kms:DisableKeyRotation: rotation cannot be switched off without first
 * rewriting this policy. Cryptographic use by the account's principals is allowed only through the
 * services a key serves (kms:ViaService), so even a role granted kms:Decrypt on "*" cannot decrypt
 * directly with these keys.
 */

export type KeyPurpose = "data" | "logs" | "secrets";
export const KEY_PURPOSES: readonly KeyPurpose[] = ["data", "logs", "secrets"];

/** Key management, delegated to IAM through the account root. kms:DisableKeyRotation is left out on purpose. */
export const KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
] as const;

/** What a service needs to encrypt and decrypt envelope data keys for the caller. */
export const KEY_USE_ACTIONS = [
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
] as const;

/** Services through which the account's principals may use each key (kms:ViaService). */
export const KEY_VIA_SERVICES: Readonly<Record<KeyPurpose, readonly string[]>> = {
  data: ["dynamodb", "lambda", "sqs", "sns"],
  logs: [],
  secrets: ["secretsmanager"],
};

export interface KeyPolicyContext {
  readonly accountId: string;
  readonly region: string;
  /** Physical name prefix; the logs key only serves log groups whose name carries it. */
  readonly prefix: string;
}

/** Log groups the logs key may encrypt (CloudWatch Logs' encryption context is the log group ARN). */
export function logGroupArnPatterns(ctx: KeyPolicyContext): string[] {
  const base = `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:`;
  return [`${base}/aws/lambda/${ctx.prefix}-*`, `${base}/aws/apigateway/${ctx.prefix}-*`];
}

/** The alarms that may publish to this stack's topic: every alarm is named `<prefix>-<id>` (alarms.ts). */
export function alarmArnPattern(ctx: KeyPolicyContext): string {
  return `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${ctx.prefix}-*`;
}

/**
 * CloudWatch alarms publishing to the KMS-encrypted alarm topic. The key policy AWS documents for
 * an AWS service that publishes to an encrypted topic names the service principal with
 * kms:Decrypt and kms:GenerateDataKey* and no kms:ViaService
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services):
 * kms:ViaService is in the request context only when a KMS-integrated service uses a key on behalf
 * of a principal in the account (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service),
 * not for a service principal's own permission, so the former condition could never match and every
 * alarm notification was dropped. The same page allows aws:SourceAccount / aws:SourceArn for
 * CloudWatch (unlike EventBridge), which keep the grant to this account's alarms of this stack.
 */
export function cloudWatchAlarmsKeyStatement(ctx: KeyPolicyContext): PolicyStatement {
  return {
    Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
    Resource: "*",
    Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId }, ArnLike: { "aws:SourceArn": alarmArnPattern(ctx) } },
  };
}

export function keyPolicy(purpose: KeyPurpose, ctx: KeyPolicyContext): PolicyDocument {
  const root = `arn:aws:iam::${ctx.accountId}:root`;
  const statements: PolicyStatement[] = [
    { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: root }, Action: [...KEY_ADMIN_ACTIONS], Resource: "*" },
  ];
  const via = KEY_VIA_SERVICES[purpose].map((service) => `${service}.${ctx.region}.amazonaws.com`);
  if (via.length > 0) {
    statements.push(
      {
        Sid: "AccountUsesKeyOnlyThroughItsServices",
        Effect: "Allow",
        Principal: { AWS: root },
        Action: [...KEY_USE_ACTIONS],
        Resource: "*",
        Condition: { StringEquals: { "kms:CallerAccount": ctx.accountId, "kms:ViaService": via } },
      },
      {
        // DynamoDB, Lambda and Secrets Manager keep a grant for their own resources.
        Sid: "ServicesKeepGrantsForTheirResources",
        Effect: "Allow",
        Principal: { AWS: root },
        Action: ["kms:CreateGrant", "kms:RetireGrant"],
        Resource: "*",
        Condition: {
          StringEquals: { "kms:CallerAccount": ctx.accountId, "kms:ViaService": via },
          Bool: { "kms:GrantIsForAWSResource": true },
        },
      },
    );
  }
  if (purpose === "logs") {
    statements.push({
      Sid: "CloudWatchLogsEncryptsThisStacksLogGroups",
      Effect: "Allow",
      Principal: { Service: `logs.${ctx.region}.amazonaws.com` },
      Action: [...KEY_USE_ACTIONS, "kms:DescribeKey"],
      Resource: "*",
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": logGroupArnPatterns(ctx) } },
    });
  }
  if (purpose === "data") statements.push(cloudWatchAlarmsKeyStatement(ctx));
  return policyDocument(statements);
}

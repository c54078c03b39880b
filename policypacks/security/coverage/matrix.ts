/**
 * Coverage of the anchors' requirements for the resource types a program like botfleet deploys:
 * Checkov (bridgecrewio/checkov, Terraform checks), pulumi/compliance-policies and @pulumi/awsguard.
 * Each requirement names the policies that enforce it or the reason it is omitted. "botfleet"
 * rows are this pack's own requirements and the deployed types no anchor has a requirement for.
 * README renders this table (coverage/render.ts); test/policypacks/coverage.spec.ts keeps both true.
 */
export type Anchor = "checkov" | "compliance-policies" | "awsguard" | "botfleet";

export interface Requirement {
  readonly anchor: Anchor;
  /** The anchor's id or name (CKV_AWS_338, aws-kms-key-enable-key-rotation, cmk-backing-key-rotation-enabled). */
  readonly id: string;
  readonly title: string;
  /** Pulumi resource types the requirement is about. */
  readonly types: readonly string[];
  readonly policies?: readonly string[];
  readonly reason?: string;
  /** The pack enforced a weaker form before issue 11 and now meets the anchor's threshold. */
  readonly strengthened?: true;
}

const LAMBDA = "aws:lambda/function:Function";
const PERMISSION = "aws:lambda/permission:Permission";
const FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl";
const ROLE = "aws:iam/role:Role";
const IDENTITY_DOCS = ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];
const ATTACHMENTS = ["aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"];
const USERS = ["aws:iam/user:User", "aws:iam/accessKey:AccessKey", "aws:iam/userLoginProfile:UserLoginProfile", "aws:iam/userPolicy:UserPolicy", "aws:iam/userPolicyAttachment:UserPolicyAttachment"];
const KEY = "aws:kms/key:Key";
const TABLE = "aws:dynamodb/table:Table";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const SECRET = "aws:secretsmanager/secret:Secret";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const STAGE = "aws:apigatewayv2/stage:Stage";
const ROUTE = "aws:apigatewayv2/route:Route";
const V2_API = "aws:apigatewayv2/api:Api";
const V2_DOMAIN = "aws:apigatewayv2/domainName:DomainName";
const CERT = "aws:acm/certificate:Certificate";
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const BUCKET = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const BUCKET_ACL = ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"];
const GCS = "gcp:storage/bucket:Bucket";
const GCS_IAM = ["gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding"];
const PROJECT_IAM = ["gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding"];
const FOLDER_IAM = ["gcp:folder/iAMMember:IAMMember", "gcp:folder/iAMBinding:IAMBinding"];
const ORG_IAM = ["gcp:organizations/iAMMember:IAMMember", "gcp:organizations/iAMBinding:IAMBinding"];
const GCP_KEY = "gcp:kms/cryptoKey:CryptoKey";
const GCP_KEY_IAM = ["gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"];
const WIF_PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";

const NO_USERS = "No IAM users may exist (aws-iam-user-disallow-creation): people use SSO, CI an OIDC role; an account password policy is an account-level setting outside any workload stack.";
const DOCS_ONLY = "Documentation, not a control: descriptions do not change who can do what.";
const XRAY = "Tracing is observability, not protection: requests are traced by request id in KMS-encrypted JSON logs with alarms; X-Ray would add a \"*\" grant to every role.";

export const COVERAGE: readonly Requirement[] = [
  // Lambda
  { anchor: "checkov", id: "CKV_AWS_45", title: "No hard-coded secrets in Lambda environment", types: [LAMBDA], policies: ["aws-lambda-function-disallow-plaintext-secrets"] },
  { anchor: "checkov", id: "CKV_AWS_173", title: "Lambda environment variables encrypted (CMK)", types: [LAMBDA], policies: ["aws-lambda-function-require-environment-cmk"] },
  { anchor: "checkov", id: "CKV_AWS_50", title: "X-Ray tracing enabled for Lambda", types: [LAMBDA], reason: XRAY },
  { anchor: "compliance-policies", id: "aws-lambda-function-enable-tracing-config", title: "Lambda tracing enabled", types: [LAMBDA], reason: XRAY },
  { anchor: "compliance-policies", id: "aws-lambda-function-configure-tracing-config", title: "Lambda tracing configured", types: [LAMBDA], reason: XRAY },
  { anchor: "compliance-policies", id: "aws-lambda-function-missing-description", title: "Lambda functions have a description", types: [LAMBDA], reason: DOCS_ONLY },
  { anchor: "checkov", id: "CKV_AWS_115", title: "Function-level concurrent execution limit", types: [LAMBDA], reason: "Reserved concurrency is taken from the account's unreserved pool, which must stay at 100 (new accounts start with a quota of 10): required on every function it makes deploys fail on fresh accounts. Floods are bounded by API Gateway stage throttling (aws-apigatewayv2-stage-require-throttling) and the edge's rate limits." },
  { anchor: "checkov", id: "CKV_AWS_116", title: "Lambda configured with a dead-letter queue", types: [LAMBDA], reason: "Only asynchronous invocations use a DLQ: functions behind API Gateway are invoked synchronously (the caller gets the error); scheduled functions fail to the schedule's own dead-letter queue and an on-failure destination." },
  { anchor: "checkov", id: "CKV_AWS_117", title: "Lambda inside a VPC", types: [LAMBDA], reason: "The functions reach only public AWS endpoints (IAM-scoped) and the platforms' APIs; a VPC would add NAT egress and no isolation the IAM policies do not already give." },
  { anchor: "checkov", id: "CKV_AWS_272", title: "Lambda code signing", types: [LAMBDA], reason: "The program builds each bundle itself with esbuild from the reviewed repository and deploys it from CI by OIDC; code signing needs Signer profiles and S3 artifacts outside this flow." },
  { anchor: "checkov", id: "CKV_AWS_363", title: "Lambda runtime not deprecated", types: [LAMBDA], reason: "The runtime is pinned in the program (nodejs22.x) and reviewed with the dependency updates; a deprecation list in the pack would need dates the pack cannot refresh by itself." },
  { anchor: "checkov", id: "CKV_AWS_258", title: "Lambda function URL AuthType not NONE", types: [FUNCTION_URL], policies: ["aws-lambda-function-url-disallow-public-auth"] },
  { anchor: "checkov", id: "CKV2_AWS_75", title: "No open CORS on Lambda function URLs", types: [FUNCTION_URL], policies: ["aws-lambda-function-url-disallow-public-auth"], reason: "Function URLs must use AWS_IAM auth, so a browser origin cannot call them whatever CORS says." },
  { anchor: "checkov", id: "CKV_AWS_301", title: "Lambda function not publicly accessible", types: [PERMISSION], policies: ["aws-lambda-permission-require-source-arn"] },
  { anchor: "checkov", id: "CKV_AWS_364", title: "Lambda permissions for services limited by SourceArn/SourceAccount", types: [PERMISSION], policies: ["aws-lambda-permission-require-source-arn", "aws-resource-policy-disallow-cross-account-access"] },
  { anchor: "compliance-policies", id: "aws-lambda-permission-configure-source-arn", title: "Lambda permissions have a source ARN", types: [PERMISSION], policies: ["aws-lambda-permission-require-source-arn"] },
  // IAM
  { anchor: "checkov", id: "CKV_AWS_60", title: "Role assumable only by specific principals", types: [ROLE], policies: ["aws-iam-role-disallow-wildcard-trust", "aws-iam-role-require-scoped-lambda-trust"] },
  { anchor: "checkov", id: "CKV_AWS_61", title: "Role not assumable by a whole account", types: [ROLE], policies: ["aws-iam-role-disallow-account-trust"] },
  { anchor: "checkov", id: "CKV_AWS_62", title: "No full \"*:*\" administrative privileges", types: IDENTITY_DOCS, policies: ["aws-iam-policy-disallow-wildcard-actions"] },
  { anchor: "checkov", id: "CKV_AWS_63", title: "No \"*\" actions", types: IDENTITY_DOCS, policies: ["aws-iam-policy-disallow-wildcard-actions"] },
  { anchor: "checkov", id: "CKV2_AWS_40", title: "No full IAM privileges (iam:*)", types: IDENTITY_DOCS, policies: ["aws-iam-policy-disallow-wildcard-actions", "aws-iam-policy-disallow-privilege-escalation"] },
  { anchor: "checkov", id: "CKV_AWS_355", title: "No \"*\" resource for restrictable actions", types: IDENTITY_DOCS, policies: ["aws-iam-policy-disallow-wildcard-resources"] },
  { anchor: "checkov", id: "CKV_AWS_286", title: "No privilege escalation", types: IDENTITY_DOCS, policies: ["aws-iam-policy-disallow-privilege-escalation", "aws-iam-policy-disallow-pass-role-wildcard"], strengthened: true },
  { anchor: "checkov", id: "CKV_AWS_287", title: "No credentials exposure", types: IDENTITY_DOCS, policies: ["aws-iam-policy-disallow-privilege-escalation", "aws-iam-policy-disallow-wildcard-resources"] },
  { anchor: "checkov", id: "CKV_AWS_288", title: "No data exfiltration (read actions on \"*\")", types: IDENTITY_DOCS, policies: ["aws-iam-policy-disallow-wildcard-resources"] },
  { anchor: "checkov", id: "CKV_AWS_289", title: "No permissions management without constraints", types: IDENTITY_DOCS, policies: ["aws-iam-policy-disallow-privilege-escalation", "aws-iam-policy-disallow-wildcard-resources"] },
  { anchor: "checkov", id: "CKV_AWS_290", title: "No write access without constraints", types: IDENTITY_DOCS, policies: ["aws-iam-policy-disallow-wildcard-resources"] },
  { anchor: "botfleet", id: "iam-not-action", title: "No NotAction / NotResource in Allow statements", types: IDENTITY_DOCS, policies: ["aws-iam-policy-disallow-not-action-not-resource"] },
  { anchor: "checkov", id: "CKV_AWS_274", title: "No AdministratorAccess managed policy", types: ATTACHMENTS, policies: ["aws-iam-attachment-disallow-admin-managed-policies"] },
  { anchor: "checkov", id: "CKV2_AWS_56", title: "No IAMFullAccess managed policy", types: ATTACHMENTS, policies: ["aws-iam-attachment-disallow-admin-managed-policies"] },
  { anchor: "checkov", id: "CKV_AWS_40", title: "Policies attached only to groups or roles", types: USERS, policies: ["aws-iam-user-disallow-creation"] },
  { anchor: "checkov", id: "CKV_AWS_273", title: "Access through SSO, not IAM users", types: USERS, policies: ["aws-iam-user-disallow-creation"] },
  { anchor: "checkov", id: "CKV2_AWS_22", title: "IAM users without console access", types: USERS, policies: ["aws-iam-user-disallow-creation"] },
  { anchor: "checkov", id: "CKV_AWS_348", title: "No access keys for the root user", types: ["aws:iam/accessKey:AccessKey"], policies: ["aws-iam-user-disallow-creation"] },
  { anchor: "compliance-policies", id: "aws-iam-policy-attachment-only-attachment-through-groups", title: "Users get permissions only through groups", types: USERS, policies: ["aws-iam-user-disallow-creation"] },
  { anchor: "compliance-policies", id: "aws-iam-user-policy-attachment-only-attachment-through-groups", title: "Users get permissions only through groups", types: USERS, policies: ["aws-iam-user-disallow-creation"] },
  { anchor: "awsguard", id: "access-keys-rotated", title: "Access keys rotated within maxKeyAge", types: ["aws:iam/accessKey:AccessKey"], policies: ["aws-iam-user-disallow-creation"] },
  { anchor: "awsguard", id: "mfa-enabled-for-iam-console-access", title: "MFA for IAM console users", types: ["aws:iam/userLoginProfile:UserLoginProfile"], policies: ["aws-iam-user-disallow-creation"] },
  { anchor: "checkov", id: "CKV_AWS_9..15", title: "IAM account password policy (length, reuse, expiry, character classes)", types: ["aws:iam/accountPasswordPolicy:AccountPasswordPolicy"], reason: NO_USERS },
  { anchor: "compliance-policies", id: "aws-iam-password-policy-minimum-password-length", title: "Password policy minimum length", types: ["aws:iam/accountPasswordPolicy:AccountPasswordPolicy"], reason: NO_USERS },
  { anchor: "compliance-policies", id: "aws-iam-password-policy-prevent-reuse", title: "Password policy prevents reuse", types: ["aws:iam/accountPasswordPolicy:AccountPasswordPolicy"], reason: NO_USERS },
  { anchor: "checkov", id: "CKV_AWS_393", title: "GitHub Actions OIDC trust restricted", types: [ROLE], policies: ["aws-iam-role-disallow-wildcard-trust", "aws-iam-role-disallow-account-trust"], reason: "The CI deploy role is created out of band; any trust policy the program deploys is judged for wildcard and foreign principals." },
  { anchor: "awsguard", id: "iam-role-no-policy-management-conflicts", title: "Role policies managed one way only", types: [ROLE, "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"], reason: "An operational conflict (policies flapping between updates), not an exposure; each document is judged wherever it is attached." },
  // KMS
  { anchor: "checkov", id: "CKV_AWS_7", title: "KMS key rotation enabled", types: [KEY], policies: ["aws-kms-key-require-rotation"] },
  { anchor: "compliance-policies", id: "aws-kms-key-enable-key-rotation", title: "KMS key rotation enabled", types: [KEY], policies: ["aws-kms-key-require-rotation"] },
  { anchor: "awsguard", id: "cmk-backing-key-rotation-enabled", title: "CMK backing key rotation enabled", types: [KEY], policies: ["aws-kms-key-require-rotation"] },
  { anchor: "checkov", id: "CKV_AWS_33", title: "KMS key policy without wildcard principal", types: [KEY, "aws:kms/keyPolicy:KeyPolicy"], policies: ["aws-resource-policy-disallow-public-access"] },
  { anchor: "compliance-policies", id: "aws-kms-key-disallow-bypass-policy-lockout-safety-check", title: "No bypass of the key policy lockout safety check", types: [KEY], policies: ["aws-kms-key-disallow-bypass-policy-lockout-safety-check"] },
  { anchor: "checkov", id: "CKV_AWS_227", title: "KMS key enabled", types: [KEY], reason: "A disabled key refuses every use: an availability concern, never an exposure." },
  { anchor: "checkov", id: "CKV2_AWS_64", title: "KMS key policy defined", types: [KEY], reason: "Without a policy KMS applies its default key policy, which defers to IAM in the key's account; the key's own policy, when set, is judged for public and cross-account access." },
  { anchor: "compliance-policies", id: "aws-kms-key-missing-description", title: "KMS keys have a description", types: [KEY], reason: DOCS_ONLY },
  // DynamoDB
  { anchor: "checkov", id: "CKV_AWS_119", title: "DynamoDB encrypted with a CMK", types: [TABLE], policies: ["aws-dynamodb-table-require-cmk-encryption"] },
  { anchor: "awsguard", id: "dynamodb-table-encryption-enabled", title: "DynamoDB table encryption enabled", types: [TABLE], policies: ["aws-dynamodb-table-require-cmk-encryption"] },
  { anchor: "checkov", id: "CKV_AWS_28", title: "DynamoDB point-in-time recovery", types: [TABLE], policies: ["aws-dynamodb-table-require-point-in-time-recovery"] },
  { anchor: "checkov", id: "CKV2_AWS_16", title: "DynamoDB auto scaling", types: [TABLE], reason: "The table uses on-demand capacity: there is no provisioned capacity to scale." },
  { anchor: "botfleet", id: "dynamodb-deletion-protection", title: "Prod tables survive a mistaken destroy", types: [TABLE], policies: ["aws-dynamodb-table-require-deletion-protection"] },
  { anchor: "botfleet", id: "dynamodb-resource-policy", title: "Table resource policies not public or cross-account", types: ["aws:dynamodb/resourcePolicy:ResourcePolicy"], policies: ["aws-resource-policy-disallow-public-access", "aws-resource-policy-disallow-cross-account-access"] },
  // SQS / SNS
  { anchor: "checkov", id: "CKV_AWS_27", title: "SQS queue encrypted", types: [QUEUE], policies: ["aws-sqs-queue-require-cmk-encryption"] },
  { anchor: "checkov", id: "CKV2_AWS_73", title: "SQS uses a CMK, not the AWS default key", types: [QUEUE], policies: ["aws-sqs-queue-require-cmk-encryption"] },
  { anchor: "checkov", id: "CKV_AWS_168", title: "SQS queue policy not public", types: [QUEUE, QUEUE_POLICY], policies: ["aws-resource-policy-disallow-public-access"] },
  { anchor: "checkov", id: "CKV_AWS_387", title: "SQS policy without public wildcards", types: [QUEUE_POLICY], policies: ["aws-resource-policy-disallow-public-access"] },
  { anchor: "checkov", id: "CKV_AWS_72", title: "SQS policy does not allow all (*) actions", types: [QUEUE_POLICY], reason: "Resource policies are judged by whom they admit (public, other accounts); what our own principals may do is bounded by their identity policies, which may not hold sqs:*." },
  { anchor: "checkov", id: "CKV_AWS_26", title: "SNS topic encrypted", types: [TOPIC], policies: ["aws-sns-topic-require-cmk-encryption"] },
  { anchor: "checkov", id: "CKV_AWS_169", title: "SNS topic policy not public", types: [TOPIC_POLICY], policies: ["aws-resource-policy-disallow-public-access"] },
  { anchor: "checkov", id: "CKV_AWS_385", title: "SNS topic policy without cross-account access", types: [TOPIC_POLICY], policies: ["aws-resource-policy-disallow-cross-account-access"] },
  // Secrets Manager
  { anchor: "checkov", id: "CKV_AWS_149", title: "Secrets Manager secret encrypted with a CMK", types: [SECRET], policies: ["aws-secretsmanager-secret-require-cmk-encryption"] },
  { anchor: "compliance-policies", id: "aws-secretsmanager-secret-configure-customer-managed-key", title: "Secrets use a customer-managed key", types: [SECRET], policies: ["aws-secretsmanager-secret-require-cmk-encryption"] },
  { anchor: "compliance-policies", id: "aws-secretsmanager-secret-missing-description", title: "Secrets have a description", types: [SECRET], reason: DOCS_ONLY },
  { anchor: "checkov", id: "CKV2_AWS_57", title: "Secrets have automatic rotation", types: [SECRET], reason: "The secrets are bot tokens and signing secrets issued by Telegram, Discord, Slack and Meta: no rotation Lambda can mint new ones; rotation is the documented manual procedure (README \"Rotating secrets\")." },
  { anchor: "checkov", id: "CKV_AWS_304", title: "Secrets rotated within 90 days", types: ["aws:secretsmanager/secretRotation:SecretRotation"], reason: "As CKV2_AWS_57: platform-issued secrets cannot be rotated automatically." },
  { anchor: "botfleet", id: "secret-policy", title: "Secret resource policies not public or cross-account", types: [SECRET, "aws:secretsmanager/secretPolicy:SecretPolicy"], policies: ["aws-resource-policy-disallow-public-access", "aws-resource-policy-disallow-cross-account-access"] },
  // CloudWatch
  { anchor: "checkov", id: "CKV_AWS_158", title: "Log group encrypted by KMS", types: [LOG_GROUP], policies: ["aws-cloudwatch-log-group-require-cmk-encryption"] },
  { anchor: "checkov", id: "CKV_AWS_66", title: "Log group specifies retention", types: [LOG_GROUP], policies: ["aws-cloudwatch-log-group-require-retention"] },
  { anchor: "checkov", id: "CKV_AWS_338", title: "Log group retains logs at least 1 year", types: [LOG_GROUP], policies: ["aws-cloudwatch-log-group-require-retention"], strengthened: true },
  // API Gateway v2
  { anchor: "checkov", id: "CKV_AWS_76", title: "API Gateway access logging", types: [STAGE], policies: ["aws-apigatewayv2-stage-require-access-logs"] },
  { anchor: "compliance-policies", id: "aws-apigatewayv2-stage-enable-access-logging", title: "Stage access logging enabled", types: [STAGE], policies: ["aws-apigatewayv2-stage-require-access-logs"] },
  { anchor: "compliance-policies", id: "aws-apigatewayv2-stage-configure-access-logging", title: "Stage access logging configured", types: [STAGE], policies: ["aws-apigatewayv2-stage-require-access-logs"] },
  { anchor: "botfleet", id: "apigatewayv2-stage-throttling", title: "Stage throttling set", types: [STAGE], policies: ["aws-apigatewayv2-stage-require-throttling"] },
  { anchor: "compliance-policies", id: "aws-apigatewayv2-domainname-configure-domain-name-security-policy", title: "Custom domain uses a modern TLS policy", types: [V2_DOMAIN], policies: ["aws-apigateway-domain-name-require-tls-1-2"] },
  { anchor: "compliance-policies", id: "aws-apigatewayv2-domainname-enable-domain-name-configuration", title: "Custom domain configuration present", types: [V2_DOMAIN], policies: ["aws-apigateway-domain-name-require-tls-1-2"] },
  { anchor: "checkov", id: "CKV_AWS_206", title: "API Gateway domain uses a modern security policy", types: ["aws:apigateway/domainName:DomainName"], policies: ["aws-apigateway-domain-name-require-tls-1-2"] },
  { anchor: "botfleet", id: "execute-api-endpoint-disabled", title: "Default execute-api endpoint off behind a custom domain", types: [V2_API], policies: ["aws-apigateway-api-require-execute-api-disabled"] },
  { anchor: "checkov", id: "CKV_AWS_309", title: "API Gateway v2 routes specify an authorization type", types: [ROUTE], reason: "Webhook routes are authenticated by the platforms' signatures (Telegram secret token, Discord Ed25519, Slack and Meta HMAC), which no API Gateway authorizer verifies; /api verifies agents' JWTs in the function. Both are tested (test/runtime)." },
  { anchor: "checkov", id: "CKV2_AWS_51", title: "API Gateway client certificate authentication", types: [STAGE, V2_API], reason: "The platforms that call the webhooks present no client certificates; the origin lock header set by the edge plays that role." },
  { anchor: "checkov", id: "CKV2_AWS_77", title: "WAFv2 with the Log4j managed rule", types: [STAGE, V2_API], reason: "HTTP APIs cannot attach WAFv2; the WAF is Cloudflare's, in front of the origin lock." },
  // ACM
  { anchor: "checkov", id: "CKV_AWS_234", title: "ACM certificate transparency logging", types: [CERT], reason: "Certificate transparency logging is ACM's default and the program never sets the opt-out; a certificate for a public API host should be logged." },
  { anchor: "checkov", id: "CKV_AWS_233", title: "ACM certificate create before destroy", types: [CERT], reason: "Pulumi replaces resources create-before-delete unless deleteBeforeReplace is set, which the program never does." },
  { anchor: "checkov", id: "CKV2_AWS_71", title: "ACM certificate without wildcard domains", types: [CERT], reason: "The program requests one certificate for the API host only; wildcard certificates would be an edge concern served by Cloudflare." },
  { anchor: "awsguard", id: "acm-certificate-expiration", title: "Imported ACM certificates not expiring", types: [CERT], reason: "ACM-issued, DNS-validated certificates renew automatically; expiry is not an input a deploy can judge." },
  // Scheduler
  { anchor: "checkov", id: "CKV_AWS_297", title: "EventBridge Scheduler schedule uses a CMK", types: [SCHEDULE], reason: "Schedules hold no data: a target ARN and a fixed input; what they trigger writes only to CMK-encrypted stores." },
  // S3
  { anchor: "checkov", id: "CKV_AWS_19", title: "S3 bucket encrypted at rest", types: BUCKET, policies: ["aws-s3-bucket-require-sse-kms"] },
  { anchor: "checkov", id: "CKV_AWS_145", title: "S3 bucket encrypted with KMS by default", types: BUCKET, policies: ["aws-s3-bucket-require-sse-kms"] },
  { anchor: "compliance-policies", id: "aws-s3-bucket-enable-server-side-encryption", title: "S3 SSE enabled", types: BUCKET, policies: ["aws-s3-bucket-require-sse-kms"] },
  { anchor: "compliance-policies", id: "aws-s3-bucket-configure-server-side-encryption-kms", title: "S3 SSE uses KMS", types: BUCKET, policies: ["aws-s3-bucket-require-sse-kms"] },
  { anchor: "compliance-policies", id: "aws-s3-bucket-configure-server-side-encryption-customer-managed-key", title: "S3 SSE uses a customer-managed key", types: BUCKET, policies: ["aws-s3-bucket-require-sse-kms"] },
  { anchor: "compliance-policies", id: "aws-s3-bucket-enable-server-side-encryption-bucket-key", title: "S3 bucket key enabled", types: BUCKET, reason: "Bucket keys lower KMS request cost; they do not change who can read the data." },
  { anchor: "checkov", id: "CKV_AWS_379", title: "S3 secure data transport policy", types: [...BUCKET, BUCKET_POLICY], policies: ["aws-s3-bucket-require-secure-transport-policy"] },
  { anchor: "checkov", id: "CKV_AWS_20", title: "No public READ ACL", types: [...BUCKET, ...BUCKET_ACL], policies: ["aws-s3-bucket-disallow-public-acl"] },
  { anchor: "checkov", id: "CKV_AWS_57", title: "No public WRITE ACL", types: [...BUCKET, ...BUCKET_ACL], policies: ["aws-s3-bucket-disallow-public-acl"] },
  { anchor: "checkov", id: "CKV_AWS_375", title: "No global view ACL", types: BUCKET_ACL, policies: ["aws-s3-bucket-disallow-public-acl"] },
  { anchor: "checkov", id: "CKV2_AWS_43", title: "No access for all authenticated users", types: BUCKET_ACL, policies: ["aws-s3-bucket-disallow-public-acl"] },
  { anchor: "compliance-policies", id: "aws-s3-bucket-disallow-public-read", title: "No public-read ACLs", types: BUCKET, policies: ["aws-s3-bucket-disallow-public-acl"] },
  { anchor: "checkov", id: "CKV_AWS_53..56", title: "Public access block: block/ignore public ACLs, block public policy, restrict public buckets", types: [PAB], policies: ["aws-s3-bucket-require-public-access-block"] },
  { anchor: "checkov", id: "CKV2_AWS_6", title: "S3 bucket has a public access block", types: [...BUCKET, PAB], policies: ["aws-s3-bucket-require-public-access-block"] },
  { anchor: "checkov", id: "CKV_AWS_70", title: "S3 bucket policy without any-principal actions", types: [...BUCKET, BUCKET_POLICY], policies: ["aws-resource-policy-disallow-public-access"] },
  { anchor: "checkov", id: "CKV_AWS_93", title: "Bucket policy does not lock out all but root", types: [BUCKET_POLICY], reason: "An operational lockout, not an exposure; the deploy role can still replace the policy through the account." },
  { anchor: "checkov", id: "CKV_AWS_18", title: "S3 access logging", types: BUCKET, reason: "Object-level access is recorded by CloudTrail data events, configured per account, not per workload bucket." },
  { anchor: "awsguard", id: "s3-bucket-logging-enabled", title: "S3 access logging", types: BUCKET, reason: "As CKV_AWS_18." },
  { anchor: "checkov", id: "CKV_AWS_21", title: "S3 versioning", types: BUCKET, reason: "The archive is the GCS bucket (versioned, gcp-storage-bucket-require-versioning); the program deploys no S3 data bucket. Add a versioning policy with the first one." },
  { anchor: "checkov", id: "CKV_AWS_143", title: "S3 object lock", types: BUCKET, reason: "Exports are regenerable snapshots; object lock would keep them past the retention the product promises." },
  { anchor: "checkov", id: "CKV_AWS_144", title: "S3 cross-region replication", types: BUCKET, reason: "Availability, not protection; the archive's durability is GCS's multi-zone storage." },
  { anchor: "compliance-policies", id: "aws-s3-bucket-enable-replication-configuration", title: "S3 replication enabled", types: BUCKET, reason: "As CKV_AWS_144." },
  { anchor: "compliance-policies", id: "aws-s3-bucket-configure-replication-configuration", title: "S3 replication configured", types: BUCKET, reason: "As CKV_AWS_144." },
  { anchor: "checkov", id: "CKV2_AWS_61", title: "S3 lifecycle configuration", types: BUCKET, reason: "Cost control, not protection." },
  { anchor: "checkov", id: "CKV2_AWS_62", title: "S3 event notifications", types: BUCKET, reason: "Observability, not protection." },
  { anchor: "checkov", id: "CKV2_AWS_65", title: "S3 ACLs disabled (BucketOwnerEnforced)", types: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"], policies: ["aws-s3-bucket-disallow-public-acl", "aws-s3-bucket-require-public-access-block"] },
  // GCS
  { anchor: "checkov", id: "CKV_GCP_114", title: "GCS public access prevention enforced", types: [GCS], policies: ["gcp-storage-bucket-require-public-access-prevention"] },
  { anchor: "compliance-policies", id: "gcp-storage-bucket-enforce-public-access-prevention", title: "GCS public access prevention enforced", types: [GCS], policies: ["gcp-storage-bucket-require-public-access-prevention"] },
  { anchor: "checkov", id: "CKV_GCP_29", title: "GCS uniform bucket-level access", types: [GCS], policies: ["gcp-storage-bucket-require-uniform-access"] },
  { anchor: "checkov", id: "CKV_GCP_78", title: "GCS versioning", types: [GCS], policies: ["gcp-storage-bucket-require-versioning"] },
  { anchor: "checkov", id: "CKV_GCP_28", title: "GCS bucket not publicly accessible", types: GCS_IAM, policies: ["gcp-iam-disallow-public-members"] },
  { anchor: "checkov", id: "CKV_GCP_62", title: "GCS access logging", types: [GCS], reason: "GCP records data access in Cloud Audit Logs (configured per project); bucket usage logs are a legacy mechanism." },
  { anchor: "checkov", id: "CKV_GCP_63", title: "GCS bucket does not log to itself", types: [GCS], reason: "As CKV_GCP_62: no usage logs are written." },
  { anchor: "botfleet", id: "gcs-cmek", title: "GCS bucket encrypted with a customer-managed key", types: [GCS], policies: ["gcp-storage-bucket-require-cmek"] },
  // GCP KMS
  { anchor: "checkov", id: "CKV_GCP_43", title: "KMS keys rotated within 90 days", types: [GCP_KEY], policies: ["gcp-kms-crypto-key-require-rotation"], strengthened: true },
  { anchor: "checkov", id: "CKV_GCP_82", title: "KMS keys protected from deletion", types: [GCP_KEY], reason: "Cloud KMS never deletes keys or key rings: a destroy only schedules key versions for destruction after destroyScheduledDuration (30 days by default), and prod protects its keys in the program." },
  { anchor: "checkov", id: "CKV_GCP_112", title: "KMS key IAM not public", types: GCP_KEY_IAM, policies: ["gcp-iam-disallow-public-members"] },
  { anchor: "checkov", id: "CKV2_GCP_6", title: "KMS crypto keys not publicly accessible", types: GCP_KEY_IAM, policies: ["gcp-iam-disallow-public-members"] },
  { anchor: "checkov", id: "CKV2_GCP_8", title: "KMS key rings not publicly accessible", types: ["gcp:kms/keyRingIAMMember:KeyRingIAMMember", "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding"], policies: ["gcp-iam-disallow-public-members"] },
  // GCP IAM and Workload Identity
  { anchor: "checkov", id: "CKV_GCP_117", title: "No basic roles at project level", types: PROJECT_IAM, policies: ["gcp-iam-disallow-primitive-roles"] },
  { anchor: "checkov", id: "CKV_GCP_116", title: "No basic roles at folder level", types: FOLDER_IAM, policies: ["gcp-iam-disallow-primitive-roles"] },
  { anchor: "checkov", id: "CKV_GCP_115", title: "No basic roles at organization level", types: ORG_IAM, policies: ["gcp-iam-disallow-primitive-roles"] },
  { anchor: "checkov", id: "CKV_GCP_41", title: "No Service Account User / Token Creator at project level", types: PROJECT_IAM, policies: ["gcp-iam-disallow-privileged-roles"], strengthened: true },
  { anchor: "checkov", id: "CKV_GCP_42", title: "Service accounts without admin privileges", types: PROJECT_IAM, policies: ["gcp-iam-disallow-privileged-roles", "gcp-iam-disallow-primitive-roles"], strengthened: true },
  { anchor: "checkov", id: "CKV_GCP_49", title: "No impersonation roles at project level", types: PROJECT_IAM, policies: ["gcp-iam-disallow-privileged-roles"] },
  { anchor: "checkov", id: "CKV_GCP_44", title: "No impersonation roles at folder level", types: FOLDER_IAM, policies: ["gcp-iam-disallow-privileged-roles"] },
  { anchor: "checkov", id: "CKV_GCP_45", title: "No impersonation roles at organization level", types: ORG_IAM, policies: ["gcp-iam-disallow-privileged-roles"] },
  { anchor: "checkov", id: "CKV_GCP_46..48", title: "Default service accounts not used at project, folder, organization level", types: [...PROJECT_IAM, ...FOLDER_IAM, ...ORG_IAM], policies: ["gcp-iam-disallow-default-service-accounts"] },
  { anchor: "checkov", id: "CKV2_GCP_3", title: "Only GCP-managed service account keys", types: ["gcp:serviceaccount/key:Key"], policies: ["gcp-serviceaccount-key-disallow-creation"] },
  { anchor: "checkov", id: "CKV_GCP_118", title: "Workload identity pool provider restricted", types: [WIF_PROVIDER], policies: ["gcp-iam-workload-identity-provider-require-attribute-condition"] },
  { anchor: "checkov", id: "CKV_GCP_125", title: "GitHub Actions OIDC trust configured securely", types: [WIF_PROVIDER], policies: ["gcp-iam-workload-identity-provider-require-attribute-condition"], reason: "No GitHub issuer is federated by the program; any provider must carry an attribute condition." },
  { anchor: "botfleet", id: "gcp-custom-roles", title: "Custom roles judged by their permissions", types: ["gcp:projects/iAMCustomRole:IAMCustomRole"], policies: ["gcp-iam-custom-role-disallow-privileged-permissions"] },
  { anchor: "botfleet", id: "gcp-project-storage-roles", title: "Workloads get storage roles on a bucket, not the project", types: PROJECT_IAM, policies: ["gcp-iam-disallow-project-storage-roles-for-service-accounts"] },
  { anchor: "botfleet", id: "gcp-service-account-iam", title: "Service-account IAM (who may impersonate) judged for public and privileged grants", types: ["gcp:serviceaccount/iAMMember:IAMMember", "gcp:serviceaccount/iAMBinding:IAMBinding"], policies: ["gcp-iam-disallow-public-members", "gcp-iam-disallow-primitive-roles"] },
  { anchor: "botfleet", id: "gcp-project-apis", title: "APIs the program enables in the project", types: ["gcp:projects/service:Service"], reason: "Enabling an API grants no principal anything (access stays with IAM, judged above); the program enables only the APIs its resources and the federation path need and leaves them on at destroy (disableOnDestroy: false), so other users of the project are not broken." },
  // Cloudflare (no anchor has Cloudflare requirements)
  { anchor: "botfleet", id: "cloudflare-zone-tls", title: "Every proxied host has SSL strict, minimum TLS 1.2, always HTTPS, managed by the stack (zone settings or rules scoped to the host)", types: ["cloudflare:index/zoneSetting:ZoneSetting", "cloudflare:index/ruleset:Ruleset", "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting", "cloudflare:index/dnsRecord:DnsRecord"], policies: ["cloudflare-zone-setting-require-ssl-strict", "cloudflare-zone-setting-require-min-tls-1-2", "cloudflare-zone-setting-require-always-https", "cloudflare-zone-require-tls-settings"] },
  { anchor: "botfleet", id: "cloudflare-tls-downgrade", title: "TLS not lowered by hostname settings, page rules, configuration, redirect or header rules (HSTS), custom hostnames", types: ["cloudflare:index/ruleset:Ruleset", "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting", "cloudflare:index/pageRule:PageRule", "cloudflare:index/customHostname:CustomHostname"], policies: ["cloudflare-edge-disallow-tls-downgrade"] },
  { anchor: "botfleet", id: "cloudflare-proxied-origin", title: "DNS records for the API host proxied", types: ["cloudflare:index/dnsRecord:DnsRecord"], policies: ["cloudflare-dns-record-require-proxied-origin"] },
  // Stack accounts
  { anchor: "botfleet", id: "cloudflare-pinning", title: "Every Cloudflare resource in the stack's zone and account (the provider itself cannot be pinned)", types: ["pulumi:providers:cloudflare", "cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/ruleset:Ruleset", "cloudflare:index/zoneSetting:ZoneSetting", "cloudflare:index/certificatePack:CertificatePack", "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting"], policies: ["cloudflare-resource-require-stack-zone"] },
  { anchor: "botfleet", id: "provider-pinning", title: "Providers pinned to the stack's account and project, no default providers, prod never on dev's", types: ["pulumi:providers:aws", "pulumi:providers:gcp", "pulumi:providers:cloudflare"], policies: ["aws-provider-require-allowed-account", "gcp-provider-require-configured-project", "stack-disallow-default-providers", "stack-require-prod-accounts-differ-from-dev"] },
  // Deployed types with no requirement of their own
  {
    anchor: "botfleet",
    id: "no-own-requirement",
    title: "Deployed types that carry no security setting of their own",
    types: [
      "aws:acm/certificateValidation:CertificateValidation",
      "aws:apigatewayv2/apiMapping:ApiMapping",
      "aws:apigatewayv2/integration:Integration",
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      "aws:kms/alias:Alias",
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
      "aws:secretsmanager/secretVersion:SecretVersion",
      "aws:sns/topicSubscription:TopicSubscription",
      "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
      "gcp:kms/keyRing:KeyRing",
      "gcp:serviceaccount/account:Account",
    ],
    reason: "Mappings, alarms, aliases, validations, subscriptions and containers: their security is that of the resources they point at, each judged above (a SecretVersion's value is never in Pulumi for the bot tokens; the origin secret's is a Pulumi secret).",
  },
];

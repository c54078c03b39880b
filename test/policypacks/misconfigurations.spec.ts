import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../../policypacks/security/policies";
import { awsProvider, doc, FOREIGN, gcpProvider, KEY_ARN, lambdaTrust, OURS, onAws, role, rolePolicy, TABLE_ARN } from "./fixtures";
import { analyzePack, type TestResource } from "./harness";

/**
 * The 19 realistic misconfiguration classes of issue 11 that used to pass: multi-resource or
 * pattern cases, not single-property flips of our own resources. Each runs through the whole pack
 * with prod's policy config and must fail with a mandatory violation of the named policy.
 */
const prodConfig = Object.fromEntries(
  Object.entries(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policypacks", "security", "config.prod.json"), "utf8")) as Record<string, unknown>).map(([name, entry]) => [
    name,
    typeof entry === "object" && entry !== null ? Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "enforcementLevel")) : {},
  ]),
) as Record<string, Record<string, unknown>>;
prodConfig["aws-provider-require-allowed-account"] = { accountId: OURS };

const fnRole = (inline: Record<string, unknown>[]) => role([lambdaTrust()], [{ name: "data", policy: doc(...inline) }]);
const queue = onAws("aws:sqs/queue:Queue", { name: "botfleet-prod-dlq", kmsMasterKeyId: KEY_ARN }, "dlq");
const QUEUE_ARN = `arn:aws:sqs:eu-west-1:${OURS}:botfleet-prod-dlq`;

const CLASSES: { what: string; resources: TestResource[]; policy: string }[] = [
  { what: "an ARN wildcard that matches every secret of every account", resources: [fnRole([{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:*:*:secret:*" }])], policy: "aws-iam-policy-disallow-wildcard-resources" },
  { what: "an admin-equivalent managed policy whose name dodges the old pattern", resources: [fnRole([]), onAws("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "botfleet-prod-api", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess-Amplify" })], policy: "aws-iam-attachment-disallow-admin-managed-policies" },
  { what: "a role allowed to rewrite its own policies", resources: [fnRole([]), rolePolicy({ Effect: "Allow", Action: ["iam:PutRolePolicy", "iam:AttachRolePolicy"], Resource: `arn:aws:iam::${OURS}:role/botfleet-prod-api` })], policy: "aws-iam-policy-disallow-privilege-escalation" },
  { what: 'a public queue policy "restricted" by StringLike aws:SourceAccount "*"', resources: [queue, onAws("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "https://sqs/x", policy: doc({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: QUEUE_ARN, Condition: { StringLike: { "aws:SourceAccount": "*" } } }) })], policy: "aws-resource-policy-disallow-public-access" },
  { what: "a topic policy whose condition names a foreign account", resources: [onAws("aws:sns/topicPolicy:TopicPolicy", { arn: "t", policy: doc({ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": FOREIGN } } }) })], policy: "aws-resource-policy-disallow-cross-account-access" },
  { what: "a role trusting another account's root", resources: [role([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: "sts:AssumeRole" }])], policy: "aws-iam-role-disallow-account-trust" },
  { what: "a public KMS key policy", resources: [onAws("aws:kms/key:Key", { enableKeyRotation: true, policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }) })], policy: "aws-resource-policy-disallow-public-access" },
  { what: "a public SQS policy set on the queue itself", resources: [onAws("aws:sqs/queue:Queue", { kmsMasterKeyId: KEY_ARN, policy: doc({ Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: QUEUE_ARN }) })], policy: "aws-resource-policy-disallow-public-access" },
  { what: "a DynamoDB resource policy for another account", resources: [onAws("aws:dynamodb/resourcePolicy:ResourcePolicy", { resourceArn: TABLE_ARN, policy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${FOREIGN}:role/reader` }, Action: "dynamodb:GetItem", Resource: TABLE_ARN }) })], policy: "aws-resource-policy-disallow-cross-account-access" },
  { what: "a public Secrets Manager secret policy", resources: [onAws("aws:secretsmanager/secretPolicy:SecretPolicy", { secretArn: "s", policy: doc({ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }) })], policy: "aws-resource-policy-disallow-public-access" },
  { what: "an S3 bucket with a public ACL", resources: [onAws("aws:s3/bucketV2:BucketV2", { bucket: "exports" }, "exports"), onAws("aws:s3/bucketAclV2:BucketAclV2", { bucket: "exports", acl: "public-read" }, "acl")], policy: "aws-s3-bucket-disallow-public-acl" },
  { what: "an S3 bucket with the public access block off", resources: [onAws("aws:s3/bucketV2:BucketV2", { bucket: "exports" }, "exports"), onAws("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: "exports", blockPublicAcls: false, blockPublicPolicy: false, ignorePublicAcls: false, restrictPublicBuckets: false }, "pab")], policy: "aws-s3-bucket-require-public-access-block" },
  { what: "a Lambda permission for another account", resources: [onAws("aws:lambda/permission:Permission", { function: "f", action: "lambda:InvokeFunction", principal: FOREIGN, sourceArn: `arn:aws:execute-api:eu-west-1:${OURS}:abc123/*/*` })], policy: "aws-resource-policy-disallow-cross-account-access" },
  { what: "a Lambda permission with an execute-api:*:*:* source", resources: [onAws("aws:lambda/permission:Permission", { function: "f", action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com", sourceArn: "arn:aws:execute-api:*:*:*" })], policy: "aws-lambda-permission-require-source-arn" },
  { what: "project IAM admin for a service account", resources: [{ type: "gcp:projects/iAMMember:IAMMember", name: "m", provider: gcpProvider(), props: { project: "botfleet-prod", role: "roles/resourcemanager.projectIamAdmin", member: "serviceAccount:export@botfleet-prod.iam.gserviceaccount.com" } }], policy: "gcp-iam-disallow-privileged-roles" },
  { what: "project-level token creator for a service account", resources: [{ type: "gcp:projects/iAMBinding:IAMBinding", name: "b", provider: gcpProvider(), props: { project: "botfleet-prod", role: "roles/iam.serviceAccountTokenCreator", members: ["serviceAccount:export@botfleet-prod.iam.gserviceaccount.com"] } }], policy: "gcp-iam-disallow-privileged-roles" },
  { what: "TLS 1.0 for the API host through a hostname TLS setting", resources: [{ type: "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting", name: "h", props: { zoneId: "z", hostname: "api.example.com", settingId: "min_tls_version", value: "1.0" } }], policy: "cloudflare-edge-disallow-tls-downgrade" },
  { what: "an API Gateway stage without access logs", resources: [onAws("aws:apigatewayv2/stage:Stage", { apiId: "a", name: "$default", defaultRouteSettings: { throttlingRateLimit: 50, throttlingBurstLimit: 100 } })], policy: "aws-apigatewayv2-stage-require-access-logs" },
  { what: "a bot token in plain text in a function's environment", resources: [onAws("aws:lambda/function:Function", { kmsKeyArn: KEY_ARN, environment: { variables: { BOT: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1" } } })], policy: "aws-lambda-function-disallow-plaintext-secrets" },
];

describe("issue 11's realistic misconfigurations: each now fails the whole pack (prod config)", function () {
  this.timeout(60_000);
  it("keeps all 19 classes", () => assert.equal(CLASSES.length, 19));
  for (const c of CLASSES) {
    it(`${c.policy}: ${c.what}`, async () => {
      const found = await analyzePack(policies, [awsProvider(), ...c.resources], prodConfig);
      const hit = found.filter((f) => f.policy === c.policy && f.level === "mandatory");
      assert.ok(hit.length > 0, `${c.policy} reported; got ${JSON.stringify(found.map((f) => `${f.level} ${f.policy}`))}`);
    });
  }
});

import * as assert from "node:assert/strict";
import type { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policypacks/security/policies";
import { awsProvider, FOREIGN, gcpProvider, KEY_ARN, OURS, onAws, TABLE_ARN } from "./fixtures";
import { analyze, analyzeStack, type Finding, type TestResource, UNKNOWN } from "./harness";

/**
 * Every policy under a first preview's unknowns, sent as the engine sends them (the unknown
 * sentinel inside the protobuf Struct) through the analyzer server's own RPC functions.
 * "deferred": the policy could decide nothing, and says it is decided at `pulumi up` (instead of
 * the library's "can't run policy during preview"). "violation": a violation decidable from known
 * values is reported although another value is unknown (and the unknown part, if any, deferred).
 */
interface Case {
  readonly policy: string;
  readonly resources: readonly TestResource[];
  readonly config?: Record<string, unknown>;
  readonly expect: "deferred" | "violation";
}

const U = UNKNOWN;
const obj = (...Statement: Record<string, unknown>[]) => ({ Version: "2012-10-17", Statement });
const single = (type: string, props: Record<string, unknown>) => [onAws(type, props)];
const gcp = (type: string, props: Record<string, unknown>): TestResource[] => [{ type, name: "g", props, provider: gcpProvider() }];
const cf = (type: string, props: Record<string, unknown>): TestResource[] => [{ type, name: "c", props }];
const ROLE_ARN = `arn:aws:iam::${OURS}:role/botfleet-prod-api`;
const bucket = (name: string, props: Record<string, unknown> = {}): TestResource => onAws("aws:s3/bucket:Bucket", { bucket: name, ...props }, name);
const domain: TestResource = onAws("aws:apigatewayv2/domainName:DomainName", { domainName: "api.example.com" }, "domain");

const CASES: Case[] = [
  { policy: "aws-dynamodb-table-require-cmk-encryption", resources: single("aws:dynamodb/table:Table", { serverSideEncryption: { enabled: true, kmsKeyArn: U } }), expect: "deferred" },
  { policy: "aws-kms-key-require-rotation", resources: single("aws:kms/key:Key", { enableKeyRotation: U }), expect: "deferred" },
  { policy: "aws-kms-key-disallow-bypass-policy-lockout-safety-check", resources: single("aws:kms/key:Key", { bypassPolicyLockoutSafetyCheck: U }), expect: "deferred" },
  { policy: "aws-lambda-function-require-environment-cmk", resources: single("aws:lambda/function:Function", { environment: { variables: { A: "1" } }, kmsKeyArn: U }), expect: "deferred" },
  { policy: "aws-cloudwatch-log-group-require-cmk-encryption", resources: single("aws:cloudwatch/logGroup:LogGroup", { kmsKeyId: U }), expect: "deferred" },
  { policy: "aws-sqs-queue-require-cmk-encryption", resources: single("aws:sqs/queue:Queue", { kmsMasterKeyId: U }), expect: "deferred" },
  { policy: "aws-sns-topic-require-cmk-encryption", resources: single("aws:sns/topic:Topic", { kmsMasterKeyId: U }), expect: "deferred" },
  { policy: "aws-secretsmanager-secret-require-cmk-encryption", resources: single("aws:secretsmanager/secret:Secret", { kmsKeyId: U }), expect: "deferred" },
  { policy: "aws-s3-bucket-require-sse-kms", resources: [bucket("plain"), bucket("pending", { serverSideEncryptionConfiguration: U })], expect: "violation" },
  { policy: "aws-s3-bucket-require-secure-transport-policy", resources: [bucket("open"), bucket("pending", { policy: U })], expect: "violation" },
  { policy: "gcp-storage-bucket-require-cmek", resources: gcp("gcp:storage/bucket:Bucket", { encryption: { defaultKmsKeyName: U } }), expect: "deferred" },
  { policy: "gcp-kms-crypto-key-require-rotation", resources: gcp("gcp:kms/cryptoKey:CryptoKey", { rotationPeriod: U }), expect: "deferred" },
  { policy: "aws-iam-policy-disallow-wildcard-actions", resources: single("aws:iam/role:Role", { inlinePolicies: [{ name: "a", policy: U }, { name: "b", policy: JSON.stringify(obj({ Effect: "Allow", Action: "*", Resource: TABLE_ARN })) }] }), expect: "violation" },
  { policy: "aws-iam-policy-disallow-not-action-not-resource", resources: single("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: obj({ Effect: "Allow", NotAction: "iam:*", Resource: TABLE_ARN }, { Effect: "Allow", Action: "s3:GetObject", Resource: U }) }), expect: "violation" },
  { policy: "aws-iam-policy-disallow-wildcard-resources", resources: single("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: obj({ Effect: "Allow", Action: "dynamodb:GetItem", Resource: "*" }, { Effect: "Allow", Action: U, Resource: TABLE_ARN }) }), expect: "violation" },
  { policy: "aws-iam-policy-disallow-pass-role-wildcard", resources: single("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: obj({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }, { Effect: "Allow", Action: "iam:PassRole", Resource: U }) }), expect: "violation" },
  { policy: "aws-iam-policy-disallow-privilege-escalation", resources: single("aws:iam/rolePolicy:RolePolicy", { role: "botfleet-prod-api", policy: obj({ Effect: "Allow", Action: "iam:PutRolePolicy", Resource: ROLE_ARN }, { Effect: "Allow", Action: U, Resource: "*" }) }), expect: "violation" },
  { policy: "aws-iam-attachment-disallow-admin-managed-policies", resources: single("aws:iam/role:Role", { managedPolicyArns: [U, "arn:aws:iam::aws:policy/AdministratorAccess"] }), expect: "violation" },
  { policy: "aws-iam-role-require-scoped-lambda-trust", resources: single("aws:iam/role:Role", { assumeRolePolicy: U }), expect: "deferred" },
  { policy: "aws-iam-role-disallow-wildcard-trust", resources: single("aws:iam/role:Role", { assumeRolePolicy: obj({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }, { Effect: "Allow", Principal: { AWS: U }, Action: "sts:AssumeRole" }) }), expect: "violation" },
  { policy: "aws-iam-role-disallow-account-trust", resources: single("aws:iam/role:Role", { assumeRolePolicy: obj({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: "sts:AssumeRole" }, { Effect: "Allow", Principal: { AWS: U }, Action: "sts:AssumeRole" }) }), expect: "violation" },
  { policy: "aws-iam-user-disallow-creation", resources: single("aws:iam/user:User", { name: U }), expect: "violation" },
  { policy: "aws-resource-policy-disallow-public-access", resources: single("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: U, policy: obj({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: U }, { Effect: "Allow", Principal: { AWS: U }, Action: "sqs:SendMessage" }) }), expect: "violation" },
  { policy: "aws-resource-policy-disallow-cross-account-access", resources: single("aws:lambda/permission:Permission", { principal: FOREIGN, sourceArn: U, sourceAccount: U, function: U }), expect: "violation" },
  { policy: "aws-lambda-permission-require-source-arn", resources: single("aws:lambda/permission:Permission", { principal: "*", sourceArn: U, function: U }), expect: "violation" },
  { policy: "gcp-iam-disallow-primitive-roles", resources: gcp("gcp:projects/iAMMember:IAMMember", { project: "p", role: "roles/owner", member: U }), expect: "violation" },
  { policy: "gcp-iam-disallow-privileged-roles", resources: gcp("gcp:projects/iAMMember:IAMMember", { project: "p", role: "roles/iam.serviceAccountTokenCreator", member: U }), expect: "violation" },
  { policy: "gcp-iam-custom-role-disallow-privileged-permissions", resources: gcp("gcp:projects/iAMCustomRole:IAMCustomRole", { roleId: "x", permissions: U }), expect: "deferred" },
  { policy: "gcp-iam-disallow-default-service-accounts", resources: gcp("gcp:projects/iAMMember:IAMMember", { project: "p", role: "roles/viewer", member: U }), expect: "deferred" },
  { policy: "gcp-iam-disallow-public-members", resources: gcp("gcp:storage/bucketIAMMember:BucketIAMMember", { bucket: "b", role: "roles/storage.objectViewer", member: U }), expect: "deferred" },
  { policy: "gcp-serviceaccount-key-disallow-creation", resources: gcp("gcp:serviceaccount/key:Key", { serviceAccountId: U }), expect: "violation" },
  { policy: "gcp-iam-workload-identity-provider-require-attribute-condition", resources: gcp("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", { attributeCondition: U }), expect: "deferred" },
  { policy: "gcp-iam-disallow-project-storage-roles-for-service-accounts", resources: gcp("gcp:projects/iAMMember:IAMMember", { project: "p", role: "roles/storage.objectAdmin", member: U }), expect: "deferred" },
  { policy: "aws-lambda-function-disallow-plaintext-secrets", resources: single("aws:lambda/function:Function", { environment: { variables: { TABLE: U, SLACK: "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx" } } }), expect: "violation" },
  { policy: "cloudflare-zone-setting-require-min-tls-1-2", resources: cf("cloudflare:index/zoneSetting:ZoneSetting", { zoneId: "z", settingId: "min_tls_version", value: U }), expect: "deferred" },
  { policy: "cloudflare-zone-setting-require-ssl-strict", resources: cf("cloudflare:index/zoneSetting:ZoneSetting", { zoneId: "z", settingId: "ssl", value: U }), expect: "deferred" },
  { policy: "cloudflare-zone-setting-require-always-https", resources: cf("cloudflare:index/zoneSetting:ZoneSetting", { zoneId: "z", settingId: "always_use_https", value: U }), expect: "deferred" },
  { policy: "cloudflare-zone-require-tls-settings", resources: [...cf("cloudflare:index/dnsRecord:DnsRecord", { zoneId: "z", name: "api", proxied: true }), { type: "cloudflare:index/zoneSetting:ZoneSetting", name: "s", props: { zoneId: U, settingId: "ssl", value: "strict" } }], expect: "violation" },
  { policy: "cloudflare-edge-disallow-tls-downgrade", resources: cf("cloudflare:index/ruleset:Ruleset", { zoneId: "z", phase: "http_config_settings", rules: [{ action: "set_config", actionParameters: { ssl: "flexible" }, expression: "true" }, U] }), expect: "violation" },
  { policy: "cloudflare-resource-require-stack-zone", resources: cf("cloudflare:index/dnsRecord:DnsRecord", { zoneId: U, name: "api.example.com", type: "CNAME", proxied: true }), config: { zoneId: "0000000000000000000000000000000b", accountId: "00000000000000000000000000000001" }, expect: "deferred" },
  { policy: "cloudflare-dns-record-require-proxied-origin", resources: cf("cloudflare:index/dnsRecord:DnsRecord", { zoneId: "z", name: "api.example.com", type: "CNAME", content: U, proxied: false }), config: { hosts: ["api.example.com"] }, expect: "violation" },
  { policy: "aws-apigateway-domain-name-require-tls-1-2", resources: single("aws:apigatewayv2/domainName:DomainName", { domainName: "api.example.com", domainNameConfiguration: { securityPolicy: U } }), expect: "deferred" },
  { policy: "aws-apigateway-api-require-execute-api-disabled", resources: [domain, onAws("aws:apigatewayv2/api:Api", { disableExecuteApiEndpoint: false }, "open"), onAws("aws:apigatewayv2/api:Api", { disableExecuteApiEndpoint: U }, "pending")], expect: "violation" },
  { policy: "aws-apigatewayv2-stage-require-access-logs", resources: single("aws:apigatewayv2/stage:Stage", { accessLogSettings: { destinationArn: U, format: "{}" } }), expect: "deferred" },
  { policy: "aws-apigatewayv2-stage-require-throttling", resources: single("aws:apigatewayv2/stage:Stage", { defaultRouteSettings: { throttlingRateLimit: U, throttlingBurstLimit: 10 } }), expect: "deferred" },
  { policy: "aws-lambda-function-url-disallow-public-auth", resources: single("aws:lambda/functionUrl:FunctionUrl", { authorizationType: U }), expect: "deferred" },
  { policy: "aws-s3-bucket-disallow-public-acl", resources: single("aws:s3/bucketAclV2:BucketAclV2", { bucket: U, acl: "public-read", accessControlPolicy: { grants: U } }), expect: "violation" },
  { policy: "aws-s3-bucket-require-public-access-block", resources: [bucket("bare"), onAws("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: "other", blockPublicAcls: U }, "pab")], expect: "violation" },
  { policy: "gcp-storage-bucket-require-public-access-prevention", resources: gcp("gcp:storage/bucket:Bucket", { publicAccessPrevention: U }), expect: "deferred" },
  { policy: "gcp-storage-bucket-require-uniform-access", resources: gcp("gcp:storage/bucket:Bucket", { uniformBucketLevelAccess: U }), expect: "deferred" },
  { policy: "aws-dynamodb-table-require-point-in-time-recovery", resources: single("aws:dynamodb/table:Table", { pointInTimeRecovery: { enabled: U } }), expect: "deferred" },
  { policy: "aws-dynamodb-table-require-deletion-protection", resources: single("aws:dynamodb/table:Table", { deletionProtectionEnabled: U }), config: { productionGrade: true }, expect: "deferred" },
  { policy: "aws-cloudwatch-log-group-require-retention", resources: single("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: U, kmsKeyId: KEY_ARN }), expect: "deferred" },
  { policy: "gcp-storage-bucket-require-versioning", resources: gcp("gcp:storage/bucket:Bucket", { versioning: { enabled: U } }), expect: "deferred" },
  { policy: "aws-provider-require-allowed-account", resources: [{ ...awsProvider(), props: { region: "eu-west-1", allowedAccountIds: U } }], config: { accountId: OURS }, expect: "deferred" },
  { policy: "gcp-provider-require-configured-project", resources: [gcpProvider(U)], config: { project: "botfleet-prod" }, expect: "deferred" },
  { policy: "stack-disallow-default-providers", resources: [{ type: "aws:sqs/queue:Queue", name: "q", props: { kmsMasterKeyId: U }, provider: awsProvider([OURS], "default_7_48_0") }], expect: "violation" },
  { policy: "stack-require-prod-accounts-differ-from-dev", resources: [gcpProvider(U)], config: { productionGrade: true, nonProductionAccountIds: ["111111111111"], nonProductionProjects: ["botfleet-dev"], nonProductionCloudflareAccountIds: [], nonProductionCloudflareZoneIds: [] }, expect: "deferred" },
];

async function run(policy: Policy, c: Case): Promise<Finding[]> {
  if ("validateStack" in policy && policy.validateStack) return analyzeStack(policy as StackValidationPolicy, c.resources, c.config);
  const found: Finding[] = [];
  for (const r of c.resources) found.push(...(await analyze(policy as ResourceValidationPolicy, r, c.config)));
  return found;
}

describe("policy pack under a first preview's unknowns: nothing decidable is lost, only the unknown part waits for `up`", () => {
  it("has a case for every policy", () => {
    assert.deepEqual(policies.map((p) => p.name).filter((n) => !CASES.some((c) => c.policy === n)), []);
  });

  for (const c of CASES) {
    it(`${c.policy}: ${c.expect === "deferred" ? "defers to up, never the library's \"can't run policy\"" : "still reports the known violation beside an unknown"}`, async () => {
      const policy = policies.find((p) => p.name === c.policy);
      assert.ok(policy, c.policy);
      const found = await run(policy, c);
      assert.ok(found.every((f) => !f.message.includes("can't run policy")), JSON.stringify(found));
      const deferrals = found.filter((f) => f.level === "advisory" && f.message.includes("Decided at `pulumi up`:"));
      const violations = found.filter((f) => f.level === "mandatory");
      if (c.expect === "deferred") {
        assert.deepEqual(violations, [], "nothing was decidable");
        assert.ok(deferrals.length > 0, `deferred: ${JSON.stringify(found)}`);
      } else {
        assert.ok(violations.length > 0, `the known violation is reported: ${JSON.stringify(found)}`);
        assert.ok(violations.every((v) => v.policy === c.policy));
      }
    });
  }
});

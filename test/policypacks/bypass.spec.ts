import * as assert from "node:assert/strict";
import type { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../../policypacks/security/policies";
import { awsProvider, gcpProvider, KEY_ARN, lambdaTrust, OURS, onAws, role } from "./fixtures";
import { analyze, analyzeStack, type Finding, type TestResource } from "./harness";

/**
 * Our own adversarial suite: for each policy a realistic attempt to get the same misconfiguration
 * past it without flipping the property it reads in the obvious way (another resource type, a
 * string-typed value, an ARN form of an alias, a condition or value that matches anything, a
 * weaker-but-set value). Policies whose bypass is "a known violation beside an unknown" have it in
 * unknowns.spec.ts; misconfigurations.spec.ts holds the multi-resource classes.
 */
const alias = (name: string) => `arn:aws:kms:eu-west-1:${OURS}:alias/aws/${name}`;
const one = (type: string, props: Record<string, unknown>) => [onAws(type, props)];
const gcp = (type: string, props: Record<string, unknown>): TestResource[] => [{ type, name: "g", props, provider: gcpProvider() }];
const cf = (settingId: string, value: unknown): TestResource[] => [{ type: "cloudflare:index/zoneSetting:ZoneSetting", name: "s", props: { zoneId: "z", settingId, value } }];

const BYPASSES: { policy: string; what: string; resources: TestResource[]; config?: Record<string, unknown> }[] = [
  { policy: "aws-dynamodb-table-require-cmk-encryption", what: "the AWS-managed key by its alias ARN", resources: one("aws:dynamodb/table:Table", { serverSideEncryption: { enabled: true, kmsKeyArn: alias("dynamodb") } }) },
  { policy: "aws-kms-key-require-rotation", what: 'rotation "false" as a string on an explicit SYMMETRIC_DEFAULT key', resources: one("aws:kms/key:Key", { keySpec: "SYMMETRIC_DEFAULT", enableKeyRotation: "false" }) },
  { policy: "aws-kms-key-disallow-bypass-policy-lockout-safety-check", what: "the bypass set on a separate KeyPolicy resource", resources: one("aws:kms/keyPolicy:KeyPolicy", { keyId: "k", policy: "{}", bypassPolicyLockoutSafetyCheck: true }) },
  { policy: "aws-lambda-function-require-environment-cmk", what: "the AWS-managed Lambda key by alias ARN", resources: one("aws:lambda/function:Function", { environment: { variables: { A: "1" } }, kmsKeyArn: alias("lambda") }) },
  { policy: "aws-cloudwatch-log-group-require-cmk-encryption", what: "an AWS-managed alias ARN", resources: one("aws:cloudwatch/logGroup:LogGroup", { kmsKeyId: alias("logs"), retentionInDays: 365 }) },
  { policy: "aws-sqs-queue-require-cmk-encryption", what: "alias/aws/sqs as an ARN", resources: one("aws:sqs/queue:Queue", { kmsMasterKeyId: alias("sqs") }) },
  { policy: "aws-sns-topic-require-cmk-encryption", what: "alias/aws/sns as an ARN", resources: one("aws:sns/topic:Topic", { kmsMasterKeyId: alias("sns") }) },
  { policy: "aws-secretsmanager-secret-require-cmk-encryption", what: "alias/aws/secretsmanager as an ARN", resources: one("aws:secretsmanager/secret:Secret", { kmsKeyId: alias("secretsmanager") }) },
  { policy: "aws-s3-bucket-require-sse-kms", what: "SSE-KMS with the AWS-managed aws/s3 key on a separate configuration", resources: [onAws("aws:s3/bucketV2:BucketV2", { bucket: "b" }, "b"), onAws("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", { bucket: "b", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: alias("s3") } }] }, "sse")] },
  { policy: "aws-s3-bucket-require-secure-transport-policy", what: "a TLS deny whose condition is IfExists-free but only for s3:GetObject", resources: [onAws("aws:s3/bucketV2:BucketV2", { bucket: "b" }, "b"), onAws("aws:s3/bucketPolicy:BucketPolicy", { bucket: "b", policy: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }) }, "p")] },
  { policy: "gcp-storage-bucket-require-cmek", what: "an empty key name", resources: gcp("gcp:storage/bucket:Bucket", { encryption: { defaultKmsKeyName: " " } }) },
  { policy: "gcp-kms-crypto-key-require-rotation", what: "a rotation period of a year (set, but weaker than 90 days)", resources: gcp("gcp:kms/cryptoKey:CryptoKey", { rotationPeriod: "31536000s" }) },
  { policy: "aws-iam-role-require-scoped-lambda-trust", what: "ForAnyValue:StringEquals on aws:SourceArn (a set operator on a key Lambda never sends is still false)", resources: [role([lambdaTrust({ "ForAnyValue:StringEquals": { "aws:SourceArn": `arn:aws:lambda:eu-west-1:${OURS}:function:x` } })])] },
  { policy: "gcp-iam-custom-role-disallow-privileged-permissions", what: 'setIamPolicy hidden in a role titled "Archive reader"', resources: gcp("gcp:projects/iAMCustomRole:IAMCustomRole", { title: "Archive reader", permissions: ["storage.objects.get", "storage.buckets.setIamPolicy"] }) },
  { policy: "gcp-iam-disallow-default-service-accounts", what: "the App Engine default account in a binding's member list", resources: gcp("gcp:projects/iAMBinding:IAMBinding", { project: "p", role: "roles/storage.objectViewer", members: ["user:a@example.com", "serviceAccount:p@appspot.gserviceaccount.com"] }) },
  { policy: "gcp-iam-disallow-public-members", what: "allAuthenticatedUsers in a KMS key's whole IAM policy document", resources: gcp("gcp:kms/cryptoKeyIAMPolicy:CryptoKeyIAMPolicy", { cryptoKeyId: "k", policyData: JSON.stringify({ bindings: [{ role: "roles/cloudkms.cryptoKeyDecrypter", members: ["allAuthenticatedUsers"] }] }) }) },
  { policy: "gcp-iam-workload-identity-provider-require-attribute-condition", what: 'attributeCondition "true" (tests no attribute)', resources: gcp("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", { attributeCondition: "true" }) },
  { policy: "gcp-iam-disallow-project-storage-roles-for-service-accounts", what: "the storage role granted at folder level instead", resources: gcp("gcp:folder/iAMMember:IAMMember", { folder: "folders/1", role: "roles/storage.objectAdmin", member: "serviceAccount:x@p.iam.gserviceaccount.com" }) },
  { policy: "cloudflare-zone-setting-require-min-tls-1-2", what: "the minimum as a number", resources: cf("min_tls_version", 1.0) },
  { policy: "cloudflare-zone-setting-require-ssl-strict", what: 'SSL "full" (encrypted, but the origin certificate unchecked)', resources: cf("ssl", "full") },
  { policy: "cloudflare-zone-setting-require-always-https", what: "always_use_https as boolean false", resources: cf("always_use_https", false) },
  { policy: "aws-apigateway-domain-name-require-tls-1-2", what: "a v1 (REST) custom domain on TLS_1_0", resources: one("aws:apigateway/domainName:DomainName", { domainName: "api.example.com", securityPolicy: "TLS_1_0" }) },
  { policy: "aws-apigatewayv2-stage-require-access-logs", what: "a destination without a format", resources: one("aws:apigatewayv2/stage:Stage", { accessLogSettings: { destinationArn: "arn:aws:logs:eu-west-1:1:log-group:x" } }) },
  { policy: "aws-apigatewayv2-stage-require-throttling", what: "throttling present but 0", resources: one("aws:apigatewayv2/stage:Stage", { defaultRouteSettings: { throttlingRateLimit: 0, throttlingBurstLimit: 0 } }) },
  { policy: "aws-lambda-function-url-disallow-public-auth", what: 'auth type "none" in lower case', resources: one("aws:lambda/functionUrl:FunctionUrl", { authorizationType: "none" }) },
  { policy: "gcp-storage-bucket-require-public-access-prevention", what: '"unspecified" instead of "inherited"', resources: gcp("gcp:storage/bucket:Bucket", { publicAccessPrevention: "unspecified" }) },
  { policy: "gcp-storage-bucket-require-uniform-access", what: '"false" as a string', resources: gcp("gcp:storage/bucket:Bucket", { uniformBucketLevelAccess: "false" }) },
  { policy: "aws-dynamodb-table-require-point-in-time-recovery", what: "the list form of the block", resources: one("aws:dynamodb/table:Table", { pointInTimeRecovery: [{ enabled: false }] }) },
  { policy: "aws-dynamodb-table-require-deletion-protection", what: "a stack that forgot to say whether it is production-grade (unset means production-grade)", resources: one("aws:dynamodb/table:Table", { deletionProtectionEnabled: false }) },
  { policy: "aws-cloudwatch-log-group-require-retention", what: "a retention that is set but shorter than a year", resources: one("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 30, kmsKeyId: KEY_ARN }) },
  { policy: "gcp-storage-bucket-require-versioning", what: '"false" as a string', resources: gcp("gcp:storage/bucket:Bucket", { versioning: { enabled: "false" } }) },
  { policy: "aws-provider-require-allowed-account", what: "forbiddenAccountIds instead of allowedAccountIds", resources: [{ ...awsProvider(), props: { region: "eu-west-1", forbiddenAccountIds: JSON.stringify(["111111111111"]) } }], config: { accountId: OURS } },
  { policy: "gcp-provider-require-configured-project", what: "only a billing project, no project", resources: [{ ...gcpProvider(), props: { billingProject: "botfleet-prod", userProjectOverride: "true" } }], config: { project: "botfleet-prod" } },
  { policy: "cloudflare-resource-require-stack-zone", what: "a DNS record pointed at the dev zone from the prod stack", resources: [{ type: "cloudflare:index/dnsRecord:DnsRecord", name: "api", props: { zoneId: "0000000000000000000000000000000a", name: "api.example.com", type: "CNAME", proxied: true } }], config: { zoneId: "0000000000000000000000000000000b", accountId: "00000000000000000000000000000001" } },
  { policy: "stack-require-prod-accounts-differ-from-dev", what: "dev's account hidden as the second allowed account", resources: [awsProvider([OURS, "111111111111"])], config: { productionGrade: true, nonProductionAccountIds: ["111111111111"], nonProductionProjects: ["botfleet-dev"], nonProductionCloudflareAccountIds: [], nonProductionCloudflareZoneIds: [] } },
  { policy: "stack-require-prod-accounts-differ-from-dev", what: "staging's (a third, non-dev stack's) account as prod's only account", resources: [awsProvider(["333333333333"])], config: { productionGrade: true, nonProductionAccountIds: ["111111111111", "333333333333"], nonProductionProjects: ["botfleet-dev"], nonProductionCloudflareAccountIds: [], nonProductionCloudflareZoneIds: [] } },
  { policy: "stack-require-prod-accounts-differ-from-dev", what: "productionGrade left out of the config (unset means production-grade)", resources: [awsProvider(["111111111111"])], config: { nonProductionAccountIds: ["111111111111"], nonProductionProjects: [], nonProductionCloudflareAccountIds: [], nonProductionCloudflareZoneIds: [] } },
];

async function run(policy: Policy, resources: readonly TestResource[], config?: Record<string, unknown>): Promise<Finding[]> {
  if ("validateStack" in policy && policy.validateStack) return analyzeStack(policy as StackValidationPolicy, resources, config);
  const found: Finding[] = [];
  for (const r of resources) found.push(...(await analyze(policy as ResourceValidationPolicy, r, config)));
  return found;
}

describe("adversarial suite: a realistic bypass attempt per policy is caught", () => {
  it("has a bypass attempt for every policy (here, as a known violation beside an unknown, or a misconfiguration class)", () => {
    const elsewhere = ["unknowns.spec.ts", "misconfigurations.spec.ts", "stack.spec.ts", path.join("aws", "iam.spec.ts")].map((f) => fs.readFileSync(path.join(__dirname, f), "utf8")).join("\n");
    const missing = policies.map((p) => p.name).filter((n) => !BYPASSES.some((b) => b.policy === n) && !new RegExp(`policy: "${n}"[^\\n]*expect: "violation"|"${n}"[^\\n]*\\n?[^\\n]*bypass|policy: "${n}" \\}`).test(elsewhere));
    assert.deepEqual(missing, []);
  });
  for (const b of BYPASSES) {
    it(`${b.policy}: ${b.what}`, async () => {
      const policy = policies.find((p) => p.name === b.policy);
      assert.ok(policy, b.policy);
      const found = await run(policy, b.resources, b.config);
      assert.ok(found.some((f) => f.policy === b.policy && f.level === "mandatory"), JSON.stringify(found));
    });
  }
});

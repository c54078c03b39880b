import * as assert from "node:assert/strict";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { SECURITY_PACK_DIR } from "../../../tools/gate/buildPack";
import { openPackSession, type PackSession } from "../../../tools/gate/judge";
import { exitCodeFor } from "../../../tools/gate/report";
import { parseStackExport } from "../../../tools/gate/stackExport";
import { runProgram } from "../../../tools/program/runUnderMocks";
import { type ExportedResource, type StackExportDoc, stackExportOf } from "./stackExportOf";

/**
 * Single misconfigurations of our own program's resources. Each takes the prod stack's state as
 * `pulumi stack export` would print it, changes one thing, and judges it the way `npm run audit`
 * does (stack export reader → the real pack over gRPC with config.prod.json): the gate must exit 1
 * naming the policy, at the changed resource.
 */
interface Mutation {
  readonly what: string;
  readonly type: string;
  readonly name?: string;
  /** Picks among resources of the type (e.g. a role that Lambda assumes). */
  readonly where?: (resource: ExportedResource) => boolean;
  readonly change: (inputs: Record<string, unknown>, resource: ExportedResource, all: ExportedResource[]) => void;
  readonly policy: string;
  /** The violation is reported on another resource (stack policies): its type. */
  readonly reportedOn?: string;
}

type Doc = { Statement: Record<string, unknown>[] } & Record<string, unknown>;
const editPolicy = (inputs: Record<string, unknown>, key: string, edit: (doc: Doc) => void): void => {
  const doc = JSON.parse(inputs[key] as string) as Doc;
  edit(doc);
  inputs[key] = JSON.stringify(doc);
};
const addStatement = (statement: Record<string, unknown>) => (inputs: Record<string, unknown>) =>
  editPolicy(inputs, "policy", (doc) => doc.Statement.push({ Effect: "Allow", ...statement }));

const MUTATIONS: Mutation[] = [
  // Encryption
  { what: "table encrypted with the AWS-owned key", type: "aws:dynamodb/table:Table", change: (i) => void delete (i.serverSideEncryption as Record<string, unknown>).kmsKeyArn, policy: "aws-dynamodb-table-require-cmk-encryption" },
  { what: "KMS key rotation off", type: "aws:kms/key:Key", change: (i) => void (i.enableKeyRotation = false), policy: "aws-kms-key-require-rotation" },
  { what: "function environment without kmsKeyArn", type: "aws:lambda/function:Function", change: (i) => void delete i.kmsKeyArn, policy: "aws-lambda-function-require-environment-cmk" },
  { what: "log group without kmsKeyId", type: "aws:cloudwatch/logGroup:LogGroup", change: (i) => void delete i.kmsKeyId, policy: "aws-cloudwatch-log-group-require-cmk-encryption" },
  { what: "dead-letter queue on SQS-managed SSE", type: "aws:sqs/queue:Queue", change: (i) => { delete i.kmsMasterKeyId; i.sqsManagedSseEnabled = true; }, policy: "aws-sqs-queue-require-cmk-encryption" },
  { what: "alarm topic on the AWS-managed SNS key", type: "aws:sns/topic:Topic", change: (i) => void (i.kmsMasterKeyId = "alias/aws/sns"), policy: "aws-sns-topic-require-cmk-encryption" },
  { what: "secret on the default Secrets Manager key", type: "aws:secretsmanager/secret:Secret", change: (i) => void delete i.kmsKeyId, policy: "aws-secretsmanager-secret-require-cmk-encryption" },
  { what: "archive bucket without CMEK", type: "gcp:storage/bucket:Bucket", change: (i) => void delete i.encryption, policy: "gcp-storage-bucket-require-cmek" },
  { what: "archive key without rotation", type: "gcp:kms/cryptoKey:CryptoKey", change: (i) => void delete i.rotationPeriod, policy: "gcp-kms-crypto-key-require-rotation" },
  // Least-privilege IAM
  { what: 'function role granted Action "*"', type: "aws:iam/rolePolicy:RolePolicy", change: addStatement({ Action: "*", Resource: "arn:aws:dynamodb:eu-west-1:222222222222:table/x" }), policy: "aws-iam-policy-disallow-wildcard-actions" },
  { what: 'function role granted "dynamodb:*"', type: "aws:iam/rolePolicy:RolePolicy", change: addStatement({ Action: ["dynamodb:*"], Resource: ["arn:aws:dynamodb:eu-west-1:222222222222:table/x"] }), policy: "aws-iam-policy-disallow-wildcard-actions" },
  { what: 'function role reading every table (Resource "*")', type: "aws:iam/rolePolicy:RolePolicy", change: addStatement({ Action: "dynamodb:GetItem", Resource: "*" }), policy: "aws-iam-policy-disallow-wildcard-resources" },
  { what: "function role using NotAction", type: "aws:iam/rolePolicy:RolePolicy", change: addStatement({ NotAction: "iam:*", Resource: "arn:aws:s3:::x" }), policy: "aws-iam-policy-disallow-not-action-not-resource" },
  { what: "function role passing any role", type: "aws:iam/rolePolicy:RolePolicy", change: addStatement({ Action: "iam:PassRole", Resource: "arn:aws:iam::222222222222:role/*" }), policy: "aws-iam-policy-disallow-pass-role-wildcard" },
  { what: "function role with AdministratorAccess attached", type: "aws:iam/role:Role", change: (i) => void (i.managedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"]), policy: "aws-iam-attachment-disallow-admin-managed-policies" },
  { what: "Lambda trust conditioned on aws:SourceAccount (Lambda never sends it: no function could start)", type: "aws:iam/role:Role", where: (r) => String(r.inputs.assumeRolePolicy).includes("lambda.amazonaws.com"), change: (i) => editPolicy(i, "assumeRolePolicy", (d) => d.Statement.forEach((s) => (s.Condition = { StringEquals: { "aws:SourceAccount": "222222222222" } }))), policy: "aws-iam-role-require-scoped-lambda-trust" },
  { what: "function role trusted by any AWS principal", type: "aws:iam/role:Role", change: (i) => editPolicy(i, "assumeRolePolicy", (d) => d.Statement.forEach((s) => (s.Principal = { AWS: "*" }))), policy: "aws-iam-role-disallow-wildcard-trust" },
  { what: "invoke permission without sourceArn", type: "aws:lambda/permission:Permission", change: (i) => void delete i.sourceArn, policy: "aws-lambda-permission-require-source-arn" },
  { what: 'invoke permission for principal "*"', type: "aws:lambda/permission:Permission", change: (i) => void (i.principal = "*"), policy: "aws-lambda-permission-require-source-arn" },
  { what: "archive bucket readable by allUsers", type: "gcp:storage/bucketIAMMember:BucketIAMMember", change: (i) => void (i.member = "allUsers"), policy: "gcp-iam-disallow-public-members" },
  { what: "export service account impersonation as roles/owner", type: "gcp:serviceaccount/iAMMember:IAMMember", change: (i) => void (i.role = "roles/owner"), policy: "gcp-iam-disallow-primitive-roles" },
  { what: "Workload Identity provider without attribute condition", type: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", change: (i) => void delete i.attributeCondition, policy: "gcp-iam-workload-identity-provider-require-attribute-condition" },
  {
    what: "export writer granted at project level instead of on the bucket",
    type: "gcp:storage/bucketIAMMember:BucketIAMMember",
    change: (i, r) => {
      r.type = "gcp:projects/iAMMember:IAMMember";
      r.urn = r.urn.replace("gcp:storage/bucketIAMMember:BucketIAMMember", r.type);
      i.project = "botfleet-prod-replace-me";
      i.role = "roles/storage.objectAdmin";
      delete i.bucket;
    },
    policy: "gcp-iam-disallow-project-storage-roles-for-service-accounts",
  },
  {
    what: "a key created for the export service account",
    type: "gcp:serviceaccount/account:Account",
    change: (_i, sa, all) => {
      all.push({ ...sa, urn: sa.urn.replace("gcp:serviceaccount/account:Account", "gcp:serviceaccount/key:Key").replace(/::[^:]+$/, "::export-key"), type: "gcp:serviceaccount/key:Key", inputs: { serviceAccountId: "archive-export-sa-id" } });
    },
    policy: "gcp-serviceaccount-key-disallow-creation",
    reportedOn: "gcp:serviceaccount/key:Key",
  },
  // TLS and exposure
  // The edge sets TLS for the API host only, as rules (infra/cloudflare/hostTls.ts); zone settings are opt-in.
  {
    what: "a hostname TLS setting lowering the API host to TLS 1.0",
    type: "cloudflare:index/ruleset:Ruleset",
    name: "edge-firewall",
    change: (i, r, all) => {
      all.push({ ...r, urn: r.urn.replace("cloudflare:index/ruleset:Ruleset", "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting").replace(/::[^:]+$/, "::edge-min-tls"), type: "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting", inputs: { zoneId: i.zoneId, hostname: "api.example.com", settingId: "min_tls_version", value: "1.0" } });
    },
    policy: "cloudflare-edge-disallow-tls-downgrade",
    reportedOn: "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting",
  },
  { what: "edge SSL mode flexible for the API host", type: "cloudflare:index/ruleset:Ruleset", name: "edge-ssl-config", change: (i) => void (((i.rules as Record<string, unknown>[])[0]!.actionParameters as Record<string, unknown>).ssl = "flexible"), policy: "cloudflare-edge-disallow-tls-downgrade" },
  { what: "HSTS removed by a header rule", type: "cloudflare:index/ruleset:Ruleset", name: "edge-response-headers", change: (i) => void ((i.rules as Record<string, unknown>[])[0]!.actionParameters = { headers: { "Strict-Transport-Security": { operation: "remove" } } }), policy: "cloudflare-edge-disallow-tls-downgrade" },
  { what: "a zone-wide SSL setting added as flexible", type: "cloudflare:index/ruleset:Ruleset", name: "edge-ssl-config", change: (i, r, all) => void all.push({ ...r, urn: r.urn.replace("cloudflare:index/ruleset:Ruleset", "cloudflare:index/zoneSetting:ZoneSetting").replace(/::[^:]+$/, "::edge-ssl"), type: "cloudflare:index/zoneSetting:ZoneSetting", inputs: { zoneId: i.zoneId, settingId: "ssl", value: "flexible" } }), policy: "cloudflare-zone-setting-require-ssl-strict", reportedOn: "cloudflare:index/zoneSetting:ZoneSetting" },
  {
    what: "the API host's HTTPS redirect no longer managed by the stack",
    type: "cloudflare:index/ruleset:Ruleset",
    name: "edge-https-redirect",
    change: (_i, r, all) => void all.splice(all.indexOf(r), 1),
    policy: "cloudflare-zone-require-tls-settings",
    reportedOn: "cloudflare:",
  },
  {
    what: "the TLS 1.2 floor narrowed to TLS 1.0 only",
    type: "cloudflare:index/ruleset:Ruleset",
    name: "edge-firewall",
    change: (i) => void ((i.rules as Record<string, unknown>[])[0]!.expression = 'http.host eq "api.example.com" and cf.tls_version in {"TLSv1"}'),
    policy: "cloudflare-zone-require-tls-settings",
    reportedOn: "cloudflare:",
  },
  { what: "a DNS record of the stack put into the dev zone", type: "cloudflare:index/dnsRecord:DnsRecord", where: (r) => r.inputs.proxied === true, change: (i) => void (i.zoneId = "0000000000000000000000000000000a"), policy: "cloudflare-resource-require-stack-zone" },
  { what: "API custom domain on TLS_1_0", type: "aws:apigatewayv2/domainName:DomainName", change: (i) => void ((i.domainNameConfiguration as Record<string, unknown>).securityPolicy = "TLS_1_0"), policy: "aws-apigateway-domain-name-require-tls-1-2" },
  { what: "execute-api endpoint left on beside the custom domain", type: "aws:apigatewayv2/api:Api", change: (i) => void (i.disableExecuteApiEndpoint = false), policy: "aws-apigateway-api-require-execute-api-disabled" },
  {
    what: "a public function URL for the health function",
    type: "aws:lambda/function:Function",
    change: (_i, fn, all) => {
      all.push({ ...fn, urn: fn.urn.replace("aws:lambda/function:Function", "aws:lambda/functionUrl:FunctionUrl").replace(/::[^:]+$/, "::health-url"), type: "aws:lambda/functionUrl:FunctionUrl", inputs: { functionName: "botfleet-prod-health", authorizationType: "NONE" } });
    },
    policy: "aws-lambda-function-url-disallow-public-auth",
    reportedOn: "aws:lambda/functionUrl:FunctionUrl",
  },
  { what: "archive bucket with public access prevention inherited", type: "gcp:storage/bucket:Bucket", change: (i) => void (i.publicAccessPrevention = "inherited"), policy: "gcp-storage-bucket-require-public-access-prevention" },
  { what: "archive bucket with object ACLs", type: "gcp:storage/bucket:Bucket", change: (i) => void (i.uniformBucketLevelAccess = false), policy: "gcp-storage-bucket-require-uniform-access" },
  // Data protection
  { what: "table without point-in-time recovery", type: "aws:dynamodb/table:Table", change: (i) => void (i.pointInTimeRecovery = { enabled: false }), policy: "aws-dynamodb-table-require-point-in-time-recovery" },
  { what: "prod table without deletion protection", type: "aws:dynamodb/table:Table", change: (i) => void (i.deletionProtectionEnabled = false), policy: "aws-dynamodb-table-require-deletion-protection" },
  { what: "log group kept forever", type: "aws:cloudwatch/logGroup:LogGroup", change: (i) => void delete i.retentionInDays, policy: "aws-cloudwatch-log-group-require-retention" },
  { what: "archive bucket without versioning", type: "gcp:storage/bucket:Bucket", change: (i) => void (i.versioning = { enabled: false }), policy: "gcp-storage-bucket-require-versioning" },
  // Stack accounts
  { what: "AWS provider allowing a second account", type: "pulumi:providers:aws", change: (i) => void (i.allowedAccountIds = JSON.stringify(["222222222222", "333333333333"])), policy: "aws-provider-require-allowed-account" },
  { what: "prod AWS provider on dev's account", type: "pulumi:providers:aws", change: (i) => void (i.allowedAccountIds = JSON.stringify(["111111111111"])), policy: "stack-require-prod-accounts-differ-from-dev" },
  { what: "prod GCP provider on dev's project", type: "pulumi:providers:gcp", change: (i) => void (i.project = "botfleet-dev-replace-me"), policy: "stack-require-prod-accounts-differ-from-dev" },
  { what: "GCP provider on another project", type: "pulumi:providers:gcp", change: (i) => void (i.project = "someone-elses-project"), policy: "gcp-provider-require-configured-project" },
  {
    what: "table deployed through the default AWS provider",
    type: "aws:dynamodb/table:Table",
    change: (_i, table, all) => {
      const urn = "urn:pulumi:prod::botfleet::pulumi:providers:aws::default_7_48_0";
      all.push({ urn, custom: true, id: "default-id", type: "pulumi:providers:aws", inputs: { region: "eu-west-1" }, outputs: {} });
      table.provider = `${urn}::default-id`;
    },
    policy: "stack-disallow-default-providers",
  },
];

/** Secrets encrypted as a plain `pulumi stack export` writes them; bundles left out (43 judgements). */
const EXPORT = { secrets: "ciphertext", stubAssetText: true } as const;

/**
 * A misconfiguration that was deployed shows in the state twice: in the inputs the program sent and
 * in the outputs the provider returned. Copies each input the mutation changed into the outputs, and
 * gives resources the mutation added the outputs their inputs would produce.
 */
function deployed(before: Record<string, unknown>, target: ExportedResource, added: ExportedResource[]): void {
  for (const key of new Set([...Object.keys(before), ...Object.keys(target.inputs)])) {
    if (isDeepStrictEqual(before[key], target.inputs[key])) continue;
    if (key in target.inputs) target.outputs[key] = structuredClone(target.inputs[key]);
    else delete target.outputs[key];
  }
  for (const r of added) if (Object.keys(r.outputs).length === 0) r.outputs = structuredClone(r.inputs);
}

describe("mutation suite: the gate catches single misconfigurations of our program (prod, audit path)", function () {
  this.timeout(300_000);
  let session: PackSession;
  let base: StackExportDoc;

  before(async () => {
    const opening = openPackSession();
    base = stackExportOf(await runProgram("prod"), EXPORT);
    session = await opening;
  });
  after(async () => {
    await session?.close();
  });

  it("covers at least 25 misconfigurations, and the unmutated export passes", async () => {
    assert.ok(MUTATIONS.length >= 25);
    const clean = parseStackExport(structuredClone(base), "prod.json");
    const judgement = await session.judge({ stack: "prod", project: "botfleet", resources: clean.resources, configFile: path.join(SECURITY_PACK_DIR, "config.prod.json") });
    assert.equal(exitCodeFor(judgement.violations), 0, JSON.stringify(judgement.violations, null, 1));
  });

  for (const mutation of MUTATIONS) {
    it(`${mutation.policy}: ${mutation.what}`, async () => {
      const doc: StackExportDoc = structuredClone(base);
      const all = doc.deployment.resources;
      const target = all.find((r) => r.type === mutation.type && (mutation.name === undefined || r.urn.endsWith(`::${mutation.name}`)) && (mutation.where?.(r) ?? true));
      assert.ok(target, `the program has a ${mutation.type}${mutation.name ? ` named ${mutation.name}` : ""}`);
      const before = structuredClone(target.inputs);
      const count = all.length;
      mutation.change(target.inputs, target, all);
      deployed(before, target, all.slice(count));
      const exported = parseStackExport(doc, "mutated.json");
      assert.equal(exported.stack, "prod");
      const judgement = await session.judge({ stack: "prod", project: "botfleet", resources: exported.resources, configFile: path.join(SECURITY_PACK_DIR, "config.prod.json") });
      assert.equal(exitCodeFor(judgement.violations), 1, `gate exits 1 for: ${mutation.what}`);
      const hit = judgement.violations.filter((v) => v.policy === mutation.policy && v.enforcementLevel === "mandatory");
      assert.ok(hit.length > 0, `${mutation.policy} reported; got ${JSON.stringify(judgement.violations.map((v) => v.policy))}`);
      const expectedOn = mutation.reportedOn ?? target.type;
      assert.ok(
        hit.some((v) => v.urn.includes(expectedOn) || v.urn === target.urn || (target.provider ?? "").startsWith(v.urn)),
        `reported at the misconfigured resource: ${hit.map((v) => v.urn).join(", ")}`,
      );
    });
  }
});

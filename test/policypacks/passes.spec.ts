import * as assert from "node:assert/strict";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policypacks/security/policies";
import { doc, gcpProvider, KEY_ARN, lambdaTrust, OURS, onAws, role, TABLE_ARN } from "./fixtures";
import { analyze, analyzeStack, expectClean, type TestResource } from "./harness";

/** The compliant form of what the policies added in issue 11 judge: each must pass clean (no violation, no deferral). */
const PASSES: { policy: string; resources: TestResource[] }[] = [
  { policy: "aws-kms-key-disallow-bypass-policy-lockout-safety-check", resources: [onAws("aws:kms/key:Key", { enableKeyRotation: true })] },
  { policy: "aws-iam-policy-disallow-privilege-escalation", resources: [onAws("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: doc({ Effect: "Allow", Action: ["dynamodb:GetItem", "iam:PassRole"], Resource: [TABLE_ARN, `arn:aws:iam::${OURS}:role/botfleet-prod-scheduler`] }, { Effect: "Allow", Action: "lambda:CreateFunction", Resource: "*" }) })] },
  { policy: "aws-iam-role-disallow-account-trust", resources: [role([lambdaTrust()]), role([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OURS}:role/ci` }, Action: "sts:AssumeRole" }])] },
  { policy: "aws-iam-user-disallow-creation", resources: [role([lambdaTrust()])] },
  { policy: "aws-resource-policy-disallow-public-access", resources: [onAws("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "q", policy: doc({ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: "*", Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:events:eu-west-1:${OURS}:rule/x` } } }) })] },
  { policy: "aws-resource-policy-disallow-cross-account-access", resources: [onAws("aws:kms/key:Key", { policy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OURS}:root` }, Action: "kms:*", Resource: "*" }) }), onAws("aws:lambda/permission:Permission", { principal: "apigateway.amazonaws.com", sourceArn: `arn:aws:execute-api:eu-west-1:${OURS}:abc123/*/*` })] },
  { policy: "gcp-iam-disallow-privileged-roles", resources: [{ type: "gcp:projects/iAMMember:IAMMember", name: "m", provider: gcpProvider(), props: { project: "p", role: "roles/logging.logWriter", member: "serviceAccount:x@p.iam.gserviceaccount.com" } }] },
  { policy: "gcp-iam-custom-role-disallow-privileged-permissions", resources: [{ type: "gcp:projects/iAMCustomRole:IAMCustomRole", name: "c", provider: gcpProvider(), props: { permissions: ["storage.objects.create"] } }] },
  { policy: "gcp-iam-disallow-default-service-accounts", resources: [{ type: "gcp:projects/iAMMember:IAMMember", name: "m", provider: gcpProvider(), props: { project: "p", role: "roles/logging.logWriter", member: "serviceAccount:export@p.iam.gserviceaccount.com" } }] },
  { policy: "aws-lambda-function-disallow-plaintext-secrets", resources: [onAws("aws:lambda/function:Function", { kmsKeyArn: KEY_ARN, environment: { variables: { BOTFLEET_SECRET_ARNS: JSON.stringify({ telegram: `arn:aws:secretsmanager:eu-west-1:${OURS}:secret:botfleet/telegram-AbCdEf` }), TELEGRAM_WEBHOOK_SECRET_ARN: "x", SLACK_SECRET: `arn:aws:secretsmanager:eu-west-1:${OURS}:secret:slack` } } })] },
  { policy: "cloudflare-edge-disallow-tls-downgrade", resources: [{ type: "cloudflare:index/ruleset:Ruleset", name: "r", props: { rules: [{ action: "set_config", actionParameters: { ssl: "strict" } }] } }] },
  { policy: "cloudflare-dns-record-require-proxied-origin", resources: [{ type: "cloudflare:index/dnsRecord:DnsRecord", name: "d", props: { name: "api.example.com", type: "CNAME", content: "d-abc.execute-api.eu-west-1.amazonaws.com", proxied: true } }, { type: "cloudflare:index/dnsRecord:DnsRecord", name: "v", props: { name: "_acme.example.com", type: "CNAME", content: "x.acm-validations.aws", proxied: false } }] },
  { policy: "aws-apigatewayv2-stage-require-access-logs", resources: [onAws("aws:apigatewayv2/stage:Stage", { accessLogSettings: { destinationArn: "arn:aws:logs:eu-west-1:1:log-group:x", format: "{}" } })] },
  { policy: "aws-apigatewayv2-stage-require-throttling", resources: [onAws("aws:apigatewayv2/stage:Stage", { defaultRouteSettings: { throttlingRateLimit: 50, throttlingBurstLimit: 100 } })] },
  { policy: "aws-s3-bucket-disallow-public-acl", resources: [onAws("aws:s3/bucketAclV2:BucketAclV2", { bucket: "b", acl: "private" })] },
  { policy: "aws-s3-bucket-require-public-access-block", resources: [onAws("aws:s3/bucketV2:BucketV2", { bucket: "b" }, "b"), onAws("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: "b", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, "p")] },
];

describe("policy pack: the compliant form passes every policy added for issue 11", () => {
  for (const p of PASSES) {
    it(`${p.policy}: passes`, async () => {
      const policy = policies.find((x) => x.name === p.policy);
      assert.ok(policy, p.policy);
      if ("validateStack" in policy) expectClean(await analyzeStack(policy as StackValidationPolicy, p.resources));
      else for (const r of p.resources) expectClean(await analyze(policy as ResourceValidationPolicy, r));
    });
  }
});

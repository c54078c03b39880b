import { strict as assert } from "node:assert";
import { ACCESS, type HandlerAccess, STAR_ONLY_ACTIONS } from "../../../infra/aws/access";
import { roleName } from "../../../infra/aws/function";
import { existingHandlers } from "../../../infra/aws/handlers";
import type { PolicyDocument } from "../../../infra/aws/iamDocument";
import { exportRoleName } from "../../../infra/naming";
import type { HandlerName } from "../../../runtime/routes";
import type { ProgramRun } from "../../../tools/program/runUnderMocks";
import { STACKS, stackRun, arnPrefix, one, ofType, policyOf, resourcesOf } from "./resources";

/** What the declaration allows, stated independently of the generator in functionPolicy.ts. */
interface Allowed {
  /** "action resource" pairs the policy may contain. */
  readonly pairs: Set<string>;
  /** Pairs the declaration requires (the policy must contain them). */
  readonly required: Set<string>;
}

interface Arns {
  readonly tableArn: string;
  readonly dataKeyArn: string;
  readonly secretsKeyArn: string;
  readonly secretArns: Record<string, string>;
  readonly repliesQueueArn: string;
  readonly asyncQueueArn: string;
  readonly logGroupArn: (handler: HandlerName) => string;
  readonly outboxFunctionArn?: string;
}

function arnsOf(run: ProgramRun): Arns {
  const prefix = run.settings.prefix;
  return {
    tableArn: `${arnPrefix(run, "dynamodb")}:table/${prefix}-table`,
    dataKeyArn: `${arnPrefix(run, "kms")}:key/backend-keys-data-id`,
    secretsKeyArn: `${arnPrefix(run, "kms")}:key/backend-keys-secrets-id`,
    secretArns: run.outputs.secretArns as unknown as Record<string, string>,
    repliesQueueArn: `${arnPrefix(run, "sqs")}:${prefix}-replies-dlq`,
    asyncQueueArn: `${arnPrefix(run, "sqs")}:${prefix}-async-dlq`,
    logGroupArn: (handler) => `${arnPrefix(run, "logs")}:log-group:/aws/lambda/${prefix}-${handler}`,
    outboxFunctionArn: `${arnPrefix(run, "lambda")}:function:${prefix}-outbox`,
  };
}

function allowedBy(handler: HandlerName, access: HandlerAccess, arns: Arns): Allowed {
  const pairs = new Set<string>();
  const required = new Set<string>();
  const grant = (actions: readonly string[], resources: readonly string[], mandatory = true) => {
    for (const action of actions) {
      for (const resource of resources) {
        pairs.add(`${action} ${resource}`);
        if (mandatory) required.add(`${action} ${resource}`);
      }
    }
  };
  grant(["logs:CreateLogStream", "logs:PutLogEvents"], [`${arns.logGroupArn(handler)}:*`]);
  grant(STAR_ONLY_ACTIONS, ["*"]);
  grant(["kms:Decrypt"], [arns.dataKeyArn]);
  grant(access.table, [arns.tableArn]);
  grant(["dynamodb:Query"], access.indexes.map((index) => `${arns.tableArn}/index/${index}`));
  if (access.table.length > 0 || access.indexes.length > 0) {
    grant(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"], [arns.dataKeyArn], false);
  }
  grant(["secretsmanager:GetSecretValue"], access.secrets.map((name) => arns.secretArns[name] as string));
  if (access.secrets.length > 0) grant(["kms:Decrypt"], [arns.secretsKeyArn]);
  const queues = [...(access.deadLettersReplies ? [arns.repliesQueueArn] : []), ...(access.invokedAsync ? [arns.asyncQueueArn] : [])];
  grant(["sqs:SendMessage"], queues);
  if (queues.length > 0) grant(["kms:Decrypt", "kms:GenerateDataKey"], [arns.dataKeyArn]);
  if (access.invokesOutbox && arns.outboxFunctionArn !== undefined) grant(["lambda:InvokeFunction"], [arns.outboxFunctionArn]);
  return { pairs, required };
}

/** Everything wrong with `policy` measured against `allowed`; empty when it matches. */
function policyViolations(policy: PolicyDocument, allowed: Allowed): string[] {
  const problems: string[] = [];
  const granted = new Set<string>();
  for (const statement of policy.Statement) {
    const raw = statement as unknown as Record<string, unknown>;
    if (statement.Effect !== "Allow") problems.push(`${statement.Sid}: only Allow statements are generated`);
    if ("NotAction" in raw || "NotResource" in raw || "Principal" in raw) problems.push(`${statement.Sid}: NotAction/NotResource/Principal`);
    for (const action of statement.Action) {
      if (action.includes("*")) problems.push(`${statement.Sid}: wildcard action ${action}`);
      for (const resource of resourcesOf(statement)) {
        if (resource === "*" && !(STAR_ONLY_ACTIONS as readonly string[]).includes(action)) problems.push(`${action} on "*" is not in STAR_ONLY_ACTIONS`);
        if (action.startsWith("kms:") && statement.Condition?.StringEquals?.["kms:ViaService"] === undefined) {
          problems.push(`${action} on ${resource} without kms:ViaService`);
        }
        const pair = `${action} ${resource}`;
        granted.add(pair);
        if (!allowed.pairs.has(pair)) problems.push(`grants ${pair}, which the declaration does not`);
      }
    }
  }
  for (const pair of allowed.required) if (!granted.has(pair)) problems.push(`misses ${pair}, which the declaration needs`);
  return problems;
}

for (const stack of STACKS) {
  describe(`aws function roles and policies: ${stack} stack`, () => {
    let run: ProgramRun;
    let arns: Arns;
    before(async () => {
      run = await stackRun(stack);
      arns = arnsOf(run);
    });

    it("attaches no managed policy to any role (so no *FullAccess)", () => {
      const attachments = run.resources.filter((r) => /^aws:iam\/(rolePolicyAttachment|policyAttachment|roleManagedPolicyAttachmentsExclusive)/.test(r.type));
      assert.deepEqual(attachments.map((a) => a.urn), []);
      for (const role of ofType(run, "aws:iam/role:Role")) assert.equal(role.inputs.managedPolicyArns, undefined, role.name);
    });

    for (const handler of existingHandlers()) {
      describe(`${handler} function`, () => {
        it("has its own role, trusted only by the Lambda service, with no condition Lambda's AssumeRole cannot meet", () => {
          const role = one(run, "aws:iam/role:Role", `backend-${handler}-role`);
          assert.equal(role.inputs.name, roleName(run.settings, handler));
          if (handler === "export") assert.equal(role.inputs.name, exportRoleName(run.settings), "GCP Workload Identity trusts this name");
          assert.deepEqual(policyOf(role.inputs.assumeRolePolicy).Statement, [
            {
              Effect: "Allow",
              Principal: { Service: "lambda.amazonaws.com" },
              Action: ["sts:AssumeRole"],
            },
          ]);
        });

        it("has a policy that grants exactly its declaration, with \"*\" only for STAR_ONLY_ACTIONS", () => {
          const policy = policyOf(one(run, "aws:iam/rolePolicy:RolePolicy", `backend-${handler}-access`).inputs.policy);
          assert.deepEqual(policyViolations(policy, allowedBy(handler, ACCESS[handler], arns)), []);
        });

        it("restricts partition keys where its declaration allows it", () => {
          const access = ACCESS[handler];
          const policy = policyOf(one(run, "aws:iam/rolePolicy:RolePolicy", `backend-${handler}-access`).inputs.policy);
          const tableStatement = policy.Statement.find((s) => resourcesOf(s).includes(arns.tableArn));
          if ("patterns" in access.leadingKeys) {
            assert.deepEqual(tableStatement?.Condition, { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": access.leadingKeys.patterns } });
          } else {
            assert.ok(access.leadingKeys.unrestricted.length > 10, "the declaration says why keys are not restricted");
          }
        });
      });
    }
  });
}

describe("aws policy check", () => {
  const arns: Arns = {
    tableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/t",
    dataKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/data",
    secretsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/secrets",
    secretArns: { telegram: "arn:telegram", discord: "arn:discord", slack: "arn:slack", meta: "arn:meta", origin: "arn:origin" },
    repliesQueueArn: "arn:aws:sqs:eu-west-1:123456789012:replies",
    asyncQueueArn: "arn:aws:sqs:eu-west-1:123456789012:async",
    logGroupArn: (handler) => `arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/${handler}`,
  };
  const allowed = allowedBy("health", ACCESS.health, arns);
  const minimal: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${arns.logGroupArn("health")}:*`] },
      { Effect: "Allow", Action: [...STAR_ONLY_ACTIONS], Resource: "*" },
      { Effect: "Allow", Action: ["kms:Decrypt"], Resource: [arns.dataKeyArn], Condition: { StringEquals: { "kms:ViaService": "lambda.eu-west-1.amazonaws.com" } } },
      { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:origin"] },
      { Effect: "Allow", Action: ["kms:Decrypt"], Resource: [arns.secretsKeyArn], Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } } },
    ],
  };
  const withStatement = (extra: PolicyDocument["Statement"][number]): PolicyDocument => ({ ...minimal, Statement: [...minimal.Statement, extra] });

  it("accepts a policy that matches the declaration", () => {
    assert.deepEqual(policyViolations(minimal, allowed), []);
  });

  it("catches an undeclared action, a wildcard, a star resource and a missing grant", () => {
    assert.match(policyViolations(withStatement({ Effect: "Allow", Action: ["dynamodb:Scan"], Resource: [arns.tableArn] }), allowed).join(), /grants dynamodb:Scan/);
    assert.match(policyViolations(withStatement({ Effect: "Allow", Action: ["dynamodb:*"], Resource: [arns.tableArn] }), allowed).join(), /wildcard action/);
    assert.match(policyViolations(withStatement({ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: "*" }), allowed).join(), /not in STAR_ONLY_ACTIONS/);
    assert.match(policyViolations({ ...minimal, Statement: minimal.Statement.slice(1) }, allowed).join(), /misses logs:CreateLogStream/);
    assert.match(
      policyViolations(withStatement({ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:telegram"] }), allowed).join(),
      /grants secretsmanager:GetSecretValue arn:telegram/,
    );
  });
});

import { strict as assert } from "node:assert";
import { awsIamAttachmentDisallowAdminManagedPolicies } from "../../../policypacks/security/aws/iam/attachment/disallowAdminManagedPolicies";
import { awsIamPolicyDisallowNotActionNotResource } from "../../../policypacks/security/aws/iam/document/disallowNotActionNotResource";
import { awsIamPolicyDisallowPassRoleWildcard } from "../../../policypacks/security/aws/iam/document/disallowPassRoleWildcard";
import { awsIamPolicyDisallowWildcardActions } from "../../../policypacks/security/aws/iam/document/disallowWildcardActions";
import { awsIamPolicyDisallowWildcardResources } from "../../../policypacks/security/aws/iam/document/disallowWildcardResources";
import { awsIamRoleDisallowWildcardTrust } from "../../../policypacks/security/aws/iam/role/disallowWildcardTrust";
import { awsIamRoleRequireScopedLambdaTrust } from "../../../policypacks/security/aws/iam/role/requireScopedLambdaTrust";
import { awsLambdaPermissionRequireSourceArn } from "../../../policypacks/security/aws/lambda/permission/requireSourceArn";
import { analyze, expectClean, expectViolation, withProp } from "../harness";

const TABLE = "arn:aws:dynamodb:eu-west-1:111111111111:table/botfleet-dev";
const statement = { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: [TABLE] };
const document = { Version: "2012-10-17", Statement: [statement] };
const trust = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ],
};
const role = { assumeRolePolicy: JSON.stringify(trust), inlinePolicies: [{ name: "data", policy: JSON.stringify(document) }] };
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const documentPolicies = [
  awsIamPolicyDisallowWildcardActions,
  awsIamPolicyDisallowNotActionNotResource,
  awsIamPolicyDisallowWildcardResources,
  awsIamPolicyDisallowPassRoleWildcard,
];

/** The baseline role policy with its one statement replaced by `changes`. */
function rolePolicy(changes: Record<string, unknown>, asObject = false): { type: string; props: Record<string, unknown> } {
  const doc = { Version: "2012-10-17", Statement: { ...statement, ...changes } };
  return { type: ROLE_POLICY, props: { role: "botfleet-dev-api", policy: asObject ? doc : JSON.stringify(doc) } };
}

describe("policy pack: least-privilege AWS IAM", () => {
  it("accepts the baseline role (inline policy) and role policy under every document policy", async () => {
    for (const policy of documentPolicies) {
      expectClean(await analyze(policy, { type: ROLE, props: role }));
      expectClean(await analyze(policy, rolePolicy({})));
    }
  });

  describe("aws-iam-policy-disallow-wildcard-actions", () => {
    it('rejects Action "*" (string, single Statement object)', async () => {
      expectViolation(await analyze(awsIamPolicyDisallowWildcardActions, rolePolicy({ Action: "*" })), "aws-iam-policy-disallow-wildcard-actions");
    });
    it('rejects "dynamodb:*" in an Action list of a document given as an object', async () => {
      const found = await analyze(awsIamPolicyDisallowWildcardActions, rolePolicy({ Action: ["dynamodb:GetItem", "dynamodb:*"] }, true));
      expectViolation(found, "aws-iam-policy-disallow-wildcard-actions");
    });
    it("rejects a wildcard action in a role's inline policy", async () => {
      const props = withProp(role, "inlinePolicies", [{ name: "data", policy: JSON.stringify({ Statement: [{ ...statement, Action: "s3:*" }] }) }]);
      expectViolation(await analyze(awsIamPolicyDisallowWildcardActions, { type: ROLE, props }), "aws-iam-policy-disallow-wildcard-actions");
    });
    it("rejects a wildcard action in a managed aws:iam/policy:Policy", async () => {
      const props = { policy: JSON.stringify({ Statement: [{ ...statement, Action: "*" }] }) };
      expectViolation(await analyze(awsIamPolicyDisallowWildcardActions, { type: "aws:iam/policy:Policy", props }), "aws-iam-policy-disallow-wildcard-actions");
    });
    it("accepts a wildcard action in a Deny statement", async () => {
      expectClean(await analyze(awsIamPolicyDisallowWildcardActions, rolePolicy({ Effect: "Deny", Action: "*" })));
    });
  });

  describe("aws-iam-policy-disallow-not-action-not-resource", () => {
    it("rejects NotAction", async () => {
      const found = await analyze(awsIamPolicyDisallowNotActionNotResource, rolePolicy({ Action: undefined, NotAction: "iam:*" }));
      expectViolation(found, "aws-iam-policy-disallow-not-action-not-resource");
    });
    it("rejects NotResource", async () => {
      const found = await analyze(awsIamPolicyDisallowNotActionNotResource, rolePolicy({ Resource: undefined, NotResource: TABLE }));
      expectViolation(found, "aws-iam-policy-disallow-not-action-not-resource");
    });
  });

  describe("aws-iam-policy-disallow-wildcard-resources", () => {
    it('rejects a data action on Resource "*"', async () => {
      expectViolation(await analyze(awsIamPolicyDisallowWildcardResources, rolePolicy({ Resource: "*" })), "aws-iam-policy-disallow-wildcard-resources");
    });
    it('accepts an action AWS only permits on "*" (xray:PutTraceSegments)', async () => {
      expectClean(await analyze(awsIamPolicyDisallowWildcardResources, rolePolicy({ Action: "xray:PutTraceSegments", Resource: "*" })));
    });
  });

  describe("aws-iam-policy-disallow-pass-role-wildcard", () => {
    it('rejects iam:PassRole on "*"', async () => {
      const found = await analyze(awsIamPolicyDisallowPassRoleWildcard, rolePolicy({ Action: "iam:PassRole", Resource: "*" }));
      expectViolation(found, "aws-iam-policy-disallow-pass-role-wildcard");
    });
    it("rejects iam:PassRole on every role of the account (role/*)", async () => {
      const found = await analyze(awsIamPolicyDisallowPassRoleWildcard, rolePolicy({ Action: ["iam:PassRole"], Resource: "arn:aws:iam::111111111111:role/*" }));
      expectViolation(found, "aws-iam-policy-disallow-pass-role-wildcard");
    });
    it("accepts iam:PassRole on one named role", async () => {
      const found = await analyze(awsIamPolicyDisallowPassRoleWildcard, rolePolicy({ Action: "iam:PassRole", Resource: "arn:aws:iam::111111111111:role/botfleet-dev-scheduler" }));
      expectClean(found);
    });
  });

  describe("aws-iam-attachment-disallow-admin-managed-policies", () => {
    const attachment = { role: "botfleet-dev-api", policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" };
    const ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
    it("accepts AWSLambdaBasicExecutionRole", async () => {
      expectClean(await analyze(awsIamAttachmentDisallowAdminManagedPolicies, { type: ATTACH, props: attachment }));
    });
    for (const name of ["AdministratorAccess", "PowerUserAccess", "AmazonDynamoDBFullAccess"]) {
      it(`rejects an attachment of ${name}`, async () => {
        const props = withProp(attachment, "policyArn", `arn:aws:iam::aws:policy/${name}`);
        expectViolation(await analyze(awsIamAttachmentDisallowAdminManagedPolicies, { type: ATTACH, props }), "aws-iam-attachment-disallow-admin-managed-policies");
      });
    }
    it("rejects AdministratorAccess in a role's managedPolicyArns", async () => {
      const props = withProp(role, "managedPolicyArns", ["arn:aws:iam::aws:policy/AdministratorAccess"]);
      expectViolation(await analyze(awsIamAttachmentDisallowAdminManagedPolicies, { type: ROLE, props }), "aws-iam-attachment-disallow-admin-managed-policies");
    });
  });

  describe("aws-iam-role-require-scoped-lambda-trust", () => {
    it("accepts a Lambda role trusted by lambda.amazonaws.com alone, as Lambda documents it", async () => {
      expectClean(await analyze(awsIamRoleRequireScopedLambdaTrust, { type: ROLE, props: role }));
    });
    for (const condition of [
      { StringEquals: { "aws:SourceAccount": "111111111111" } },
      { ArnLike: { "aws:SourceArn": "arn:aws:lambda:eu-west-1:111111111111:function:*" } },
      { StringEquals: { "AWS:SOURCEACCOUNT": "111111111111" } },
      { Null: { "aws:SourceAccount": "false" } },
    ]) {
      it(`rejects a Lambda trust conditioned on a key Lambda does not send: ${JSON.stringify(condition)}`, async () => {
        const statements = [{ ...trust.Statement[0], Condition: condition }];
        const props = withProp(role, "assumeRolePolicy", JSON.stringify({ Statement: statements }));
        const violations = await analyze(awsIamRoleRequireScopedLambdaTrust, { type: ROLE, props });
        expectViolation(violations, "aws-iam-role-require-scoped-lambda-trust");
        assert.match(JSON.stringify(violations), /could never be assumed/);
      });
    }
    it("lets a condition that holds when the key is absent through (it denies nothing)", async () => {
      const statements = [{ ...trust.Statement[0], Condition: { StringEqualsIfExists: { "aws:SourceAccount": "111111111111" } } }];
      const props = withProp(role, "assumeRolePolicy", JSON.stringify({ Statement: statements }));
      expectClean(await analyze(awsIamRoleRequireScopedLambdaTrust, { type: ROLE, props }));
    });
    it("rejects a Lambda role also trusted by another service", async () => {
      const statements = [{ ...trust.Statement[0], Principal: { Service: ["lambda.amazonaws.com", "ec2.amazonaws.com"] } }];
      const props = withProp(role, "assumeRolePolicy", { Statement: statements });
      expectViolation(await analyze(awsIamRoleRequireScopedLambdaTrust, { type: ROLE, props }), "aws-iam-role-require-scoped-lambda-trust");
    });
    it("leaves roles for other services to other policies", async () => {
      const statements = [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }];
      const props = withProp(role, "assumeRolePolicy", { Statement: statements });
      expectClean(await analyze(awsIamRoleRequireScopedLambdaTrust, { type: ROLE, props }));
    });
  });

  describe("aws-iam-role-disallow-wildcard-trust", () => {
    it("accepts a role trusted by one service", async () => {
      expectClean(await analyze(awsIamRoleDisallowWildcardTrust, { type: ROLE, props: role }));
    });
    it('rejects Principal { AWS: "*" }', async () => {
      const props = withProp(role, "assumeRolePolicy", JSON.stringify({ Statement: [{ ...trust.Statement[0], Principal: { AWS: "*" }, Condition: undefined }] }));
      expectViolation(await analyze(awsIamRoleDisallowWildcardTrust, { type: ROLE, props }), "aws-iam-role-disallow-wildcard-trust");
    });
    it('bypass: Principal "*" "restricted" by StringLike aws:SourceAccount "*" (a condition that matches anything)', async () => {
      const statement = { ...trust.Statement[0], Principal: "*", Condition: { StringLike: { "aws:SourceAccount": "*" } } };
      const props = withProp(role, "assumeRolePolicy", JSON.stringify({ Statement: [statement] }));
      expectViolation(await analyze(awsIamRoleDisallowWildcardTrust, { type: ROLE, props }), "aws-iam-role-disallow-wildcard-trust");
    });
    it('accepts Principal "*" really restricted to our organisation', async () => {
      const statement = { ...trust.Statement[0], Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } };
      const props = withProp(role, "assumeRolePolicy", JSON.stringify({ Statement: [statement] }));
      expectClean(await analyze(awsIamRoleDisallowWildcardTrust, { type: ROLE, props }));
    });
  });

  describe("aws-lambda-permission-require-source-arn", () => {
    const TYPE = "aws:lambda/permission:Permission";
    const permission = {
      action: "lambda:InvokeFunction",
      function: "botfleet-dev-telegram",
      principal: "apigateway.amazonaws.com",
      sourceArn: "arn:aws:execute-api:eu-west-1:111111111111:abc123/*/*",
    };
    it("accepts a permission scoped to one API", async () => {
      expectClean(await analyze(awsLambdaPermissionRequireSourceArn, { type: TYPE, props: permission }));
    });
    it("rejects a permission without sourceArn", async () => {
      const props = withProp(permission, "sourceArn", undefined);
      expectViolation(await analyze(awsLambdaPermissionRequireSourceArn, { type: TYPE, props }), "aws-lambda-permission-require-source-arn");
    });
    it('rejects principal "*"', async () => {
      const props = withProp(permission, "principal", "*");
      expectViolation(await analyze(awsLambdaPermissionRequireSourceArn, { type: TYPE, props }), "aws-lambda-permission-require-source-arn");
    });
  });
});

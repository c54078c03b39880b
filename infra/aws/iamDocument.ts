/** The subset of the IAM policy language botfleet writes: Allow or Deny, explicit actions and resources. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[] };
  readonly Action: readonly string[];
  /** Absent only in trust policies (a role's trust policy may not name a resource). */
  readonly Resource?: readonly string[] | "*";
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[] | boolean>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export function policyDocument(statements: readonly PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Stable JSON (two-space indent) so a policy diff in a preview reads line by line. */
export function renderPolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc, null, 2);
}

/**
 * Trust policy for a role only `service` may assume, and only on behalf of this account — for
 * services that document sending aws:SourceAccount when they assume a role (EventBridge Scheduler:
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role).
 * Not for Lambda execution roles: lambdaExecutionTrustPolicy says why.
 */
export function serviceTrustPolicy(service: string, accountId: string): PolicyDocument {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: ["sts:AssumeRole"],
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
  ]);
}

/**
 * Trust policy of a Lambda execution role: the Lambda service principal, and no condition.
 *
 * Lambda's documented execution-role trust names `lambda.amazonaws.com` alone
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html), and Lambda
 * documents no aws:SourceAccount or aws:SourceArn in the request when it assumes the role — unlike
 * services that do and say so in a "cross-service confused deputy prevention" page (EventBridge
 * Scheduler, used in schedule.ts). A global key is in the request context only when the calling
 * service puts it there, and a StringEquals on an absent key is false
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount),
 * so such a condition would leave every function unable to get its credentials. The account scope
 * it was meant to add holds anyway: Lambda assumes a role only for a function created or updated
 * with it, which takes iam:PassRole on it, and a role cannot be passed to a service in another
 * account (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html). What a
 * function's credentials may be used for is scoped by lambda:SourceFunctionArn where needed
 * (https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html).
 */
export function lambdaExecutionTrustPolicy(): PolicyDocument {
  return policyDocument([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["sts:AssumeRole"] }]);
}

import type { TestResource } from "./harness";

/** Shared fixtures for the table-driven specs: realistic values, our account 222222222222, a foreign 999999999999. */
export const OURS = "222222222222";
export const FOREIGN = "999999999999";
export const KEY_ARN = `arn:aws:kms:eu-west-1:${OURS}:key/0d5c6d0e-1111-4a4a-9b9b-0123456789ab`;
export const awsProvider = (accounts: string[] = [OURS], name = "botfleet-prod-aws") =>
  ({ type: "pulumi:providers:aws", name, props: { region: "eu-west-1", allowedAccountIds: JSON.stringify(accounts) } }) as TestResource & { name: string };
export const gcpProvider = (project = "botfleet-prod", name = "botfleet-prod-gcp") => ({ type: "pulumi:providers:gcp", name, props: { project } }) as TestResource & { name: string };

/** A resource on our pinned AWS provider. */
export const onAws = (type: string, props: Record<string, unknown>, name = "r"): TestResource => ({ type, name, props, provider: awsProvider() });

export const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
export const rolePolicy = (...statements: Record<string, unknown>[]) => onAws("aws:iam/rolePolicy:RolePolicy", { role: "botfleet-prod-api", policy: doc(...statements) });
/** A Lambda execution role's trust as Lambda documents it (no condition), or with `condition` added. */
export const lambdaTrust = (condition?: Record<string, unknown>) =>
  ({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) });
export const role = (trust: Record<string, unknown>[], inline: unknown[] = []) =>
  onAws("aws:iam/role:Role", { name: "botfleet-prod-api", assumeRolePolicy: doc(...trust), inlinePolicies: inline });
export const TABLE_ARN = `arn:aws:dynamodb:eu-west-1:${OURS}:table/botfleet-prod`;

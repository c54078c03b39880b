import type { Statement } from "./iamDocument";
import { accountOfArn } from "./iamKnowledge";

type Condition = Statement["conditions"][number];

/** Condition keys that restrict which caller, account, organisation or network a statement admits. */
const ACCOUNT_KEYS = ["aws:sourceaccount", "aws:principalaccount", "kms:calleraccount", "aws:sourceowner"];
const ARN_KEYS = ["aws:sourcearn", "aws:principalarn"];
const OTHER_IDENTITY_KEYS = [
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:userid",
  "aws:username",
];
/** OIDC/SAML trust: "<issuer>:sub", ":aud", ":amr" (token.actions.githubusercontent.com:sub, accounts.google.com:sub…). */
const FEDERATED_KEY = /:(sub|aud|amr|oaud)$/;

function isWildcardValue(value: string): boolean {
  return /[*?]/.test(value);
}

/**
 * Whether a condition can be met by any caller, so it restricts nothing (AWS IAM User Guide,
 * "Condition operators" and "Single-valued vs multivalued context keys"): an ...IfExists operator
 * is met when the key is absent; ForAllValues is met by an empty or absent key set; negated
 * operators admit everything but a list; Null only tests presence; an empty value list, and
 * Like/ARN values that are wildcards ("*", "arn:aws:*", an account field "*" or "1234*"), match anything.
 */
export function matchesAnything(condition: Condition): boolean {
  const operator = condition.operator.toLowerCase();
  if (operator.endsWith("ifexists") || operator.startsWith("forallvalues:")) return true;
  if (operator === "null" || operator.includes("not")) return true;
  if (condition.values.length === 0) return true;
  const base = operator.replace(/^foranyvalue:/, "");
  const wildcards = base.endsWith("like") || base.startsWith("arn");
  if (!wildcards) return false;
  if (ARN_KEYS.includes(condition.key) || base.startsWith("arn")) return condition.values.some(arnMatchesAnyAccount);
  return condition.values.some(isWildcardValue) && (ACCOUNT_KEYS.includes(condition.key) || condition.values.some((v) => /^[*?]+$/.test(v)));
}

/** An ARN pattern that admits any account or service: "*", "arn:aws:*", "arn:aws:execute-api:*:*:*". */
function arnMatchesAnyAccount(value: string): boolean {
  const parts = value.split(":");
  if (parts.length < 6) return isWildcardValue(value);
  return [parts[1], parts[2], parts[4]].some((field) => field === undefined || isWildcardValue(field));
}

/** Conditions that really restrict who may use a statement. */
export function effectiveConditions(statement: Statement): Condition[] {
  return statement.conditions.filter((c) => !matchesAnything(c));
}

export interface CallerRestriction {
  /** Some effective condition restricts the caller (account, ARN, organisation, network, federated subject). */
  readonly restricted: boolean;
  /** Accounts the effective conditions name (aws:SourceAccount, account fields of aws:SourceArn, …). */
  readonly accounts: readonly string[];
}

/** Keys about the calling principal itself: what can neutralise Principal "*" in a trust policy. */
const PRINCIPAL_KEYS = ["aws:principalaccount", "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths", "aws:userid", "aws:username"];

/**
 * Who an Allow statement admits once conditions that match anything are set aside. For a trust
 * policy ("trust") only conditions on the caller's own identity count: aws:SourceAccount and the
 * like describe a service acting for a resource and are absent when a principal calls AssumeRole.
 */
export function callerRestriction(statement: Statement, kind: "trust" | "resource" = "resource"): CallerRestriction {
  const effective = effectiveConditions(statement);
  const accounts = effective.flatMap((c) => {
    if (ACCOUNT_KEYS.includes(c.key)) return c.values;
    if (ARN_KEYS.includes(c.key)) return c.values.map(accountOfArn).filter((a): a is string => a !== undefined);
    return [];
  });
  const keys = kind === "trust" ? PRINCIPAL_KEYS : [...ACCOUNT_KEYS, ...ARN_KEYS, ...OTHER_IDENTITY_KEYS];
  const restricted = effective.some((c) => keys.includes(c.key) || FEDERATED_KEY.test(c.key));
  return { restricted, accounts };
}

/** Accounts a principal entry names ("AWS:123456789012", "AWS:arn:aws:iam::123456789012:root", role ARNs). */
export function principalAccount(principal: string): string | undefined {
  const [kind, ...rest] = principal.split(":");
  const value = rest.join(":");
  if (kind !== "AWS" && kind !== "Federated") return undefined;
  if (/^\d{12}$/.test(value)) return value;
  return accountOfArn(value);
}

/** Principal "*", { AWS: "*" } or an ARN with a wildcard account: anyone. */
export function isAnyonePrincipal(principal: string): boolean {
  if (principal === "*" || principal === "AWS:*") return true;
  const account = principalAccount(principal);
  return account !== undefined && /[*?]/.test(account);
}

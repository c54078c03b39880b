import { decodeJson, isRecord, stringList } from "./values";

/**
 * An IAM policy statement in one shape, whatever the source wrote: Statement single or list,
 * Action/Resource string or list, document as a JSON string or an object.
 */
export interface Statement {
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  /** Principal entries as "<kind>:<value>", e.g. "Service:lambda.amazonaws.com", "AWS:*", "*". */
  readonly principals: readonly string[];
  readonly hasNotPrincipal: boolean;
  /** Condition keys, lower-cased ("aws:sourceaccount"), with their operator and values. */
  readonly conditions: readonly { operator: string; key: string; values: readonly string[] }[];
}

export function parseStatements(document: unknown): Statement[] {
  const doc = decodeJson(document);
  if (!isRecord(doc)) return [];
  const raw = doc.Statement ?? doc.statement ?? doc.statements;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter(isRecord).map(normalise);
}

function normalise(s: Record<string, unknown>): Statement {
  const effect = (s.Effect ?? s.effect) === "Deny" ? "Deny" : "Allow";
  return {
    effect,
    actions: stringList(s.Action ?? s.actions),
    notActions: stringList(s.NotAction ?? s.notActions),
    resources: stringList(s.Resource ?? s.resources),
    notResources: stringList(s.NotResource ?? s.notResources),
    principals: principalsOf(s.Principal ?? s.principals),
    hasNotPrincipal: (s.NotPrincipal ?? s.notPrincipals) !== undefined,
    conditions: conditionsOf(s.Condition ?? s.conditions),
  };
}

function principalsOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === "*") return ["*"];
  // Pulumi's typed form: [{ type: "Service", identifiers: [...] }]
  if (Array.isArray(value)) {
    return value.filter(isRecord).flatMap((p) => stringList(p.identifiers).map((id) => `${String(p.type)}:${id}`));
  }
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([kind, ids]) => stringList(ids).map((id) => `${kind}:${id}`));
}

function conditionsOf(value: unknown): Statement["conditions"] {
  if (Array.isArray(value)) {
    // Pulumi's typed form: [{ test, variable, values }]
    return value
      .filter(isRecord)
      .map((c) => ({ operator: String(c.test), key: String(c.variable).toLowerCase(), values: stringList(c.values) }));
  }
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([operator, block]) =>
    isRecord(block)
      ? Object.entries(block).map(([key, v]) => ({
          operator,
          key: key.toLowerCase(),
          values: (Array.isArray(v) ? v : [v]).map((x) => String(x)),
        }))
      : [],
  );
}

/** IAM action wildcard match, case-insensitive, as IAM evaluates "s3:Get*" against "s3:GetObject". */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return regex.test(action);
}

/** "*" or "service:*": every action, or every action of a service. */
export function isServiceWildcard(action: string): boolean {
  return action === "*" || /^[a-z0-9-]+:\*$/i.test(action);
}

/**
 * The identity-policy documents a resource carries, with where each came from. Trust policies
 * (assumeRolePolicy) and resource policies (bucket policies) are judged by their own policies.
 */
export const IDENTITY_POLICY_TYPES = [
  "aws:iam/role:Role",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
] as const;

export function identityDocuments(type: string, props: Readonly<Record<string, unknown>>): { where: string; document: unknown }[] {
  if (type === "aws:iam/role:Role") {
    const inline = decodeJson(props.inlinePolicies);
    if (!Array.isArray(inline)) return [];
    return inline
      .filter(isRecord)
      .filter((p) => p.policy !== undefined)
      .map((p, i) => ({ where: `inline policy ${typeof p.name === "string" ? `"${p.name}"` : `#${i + 1}`}`, document: p.policy }));
  }
  return props.policy === undefined ? [] : [{ where: "policy", document: props.policy }];
}

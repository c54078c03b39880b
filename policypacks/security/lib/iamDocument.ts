import { decideAsync, type Verdict } from "./unknowns";
import { decodeJson, isRecord, stringList } from "./values";

/**
 * An IAM policy statement in one shape, whatever the source wrote: Statement single or list,
 * Action/Resource string or list, document as a JSON string or an object, Pulumi's typed
 * (getPolicyDocument-style) keys or IAM's.
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

/** Readers of a document's statements (reading an unknown document throws: the caller defers it). */
function statementReaders(document: unknown): (() => unknown)[] {
  const doc = decodeJson(document);
  if (!isRecord(doc)) return [];
  const raw = doc.Statement ?? doc.statement ?? doc.statements;
  if (Array.isArray(raw)) return [...raw.keys()].map((i) => () => raw[i] as unknown);
  return raw === undefined ? [] : [() => raw];
}

export function parseStatements(document: unknown): Statement[] {
  return statementReaders(document).map((read) => read()).filter(isRecord).map(normalise);
}

/**
 * Judges each statement on its own: a statement with an unknown part is deferred to `pulumi up`,
 * the others are judged now (an `Action: "*"` beside an unknown statement is still reported).
 */
export async function judgeStatements(
  document: unknown,
  judge: (statement: Statement) => readonly Verdict[] | Promise<readonly Verdict[]>,
): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const read of statementReaders(document)) {
    verdicts.push(
      ...(await decideAsync(() => {
        const raw = read();
        return isRecord(raw) ? judge(normalise(raw)) : [];
      })),
    );
  }
  return verdicts;
}

/**
 * Fields are read when a judge first uses them: a policy that judges principals is not deferred
 * because the statement's Resource is unknown, and one that needs the unknown field still is.
 */
function normalise(s: Record<string, unknown>): Statement {
  const lazy = <T>(read: () => T): (() => T) => {
    let value: { v: T } | undefined;
    return () => (value ??= { v: read() }).v;
  };
  const effect = lazy(() => ((s.Effect ?? s.effect) === "Deny" ? ("Deny" as const) : ("Allow" as const)));
  const actions = lazy(() => stringList(s.Action ?? s.actions));
  const notActions = lazy(() => stringList(s.NotAction ?? s.notActions));
  const resources = lazy(() => stringList(s.Resource ?? s.resources));
  const notResources = lazy(() => stringList(s.NotResource ?? s.notResources));
  const principals = lazy(() => principalsOf(s.Principal ?? s.principals));
  const hasNotPrincipal = lazy(() => (s.NotPrincipal ?? s.notPrincipals) !== undefined);
  const conditions = lazy(() => conditionsOf(s.Condition ?? s.conditions));
  return {
    get effect() {
      return effect();
    },
    get actions() {
      return actions();
    },
    get notActions() {
      return notActions();
    },
    get resources() {
      return resources();
    },
    get notResources() {
      return notResources();
    },
    get principals() {
      return principals();
    },
    get hasNotPrincipal() {
      return hasNotPrincipal();
    },
    get conditions() {
      return conditions();
    },
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

/**
 * The identity-policy documents a resource carries. Trust policies (assumeRolePolicy) and resource
 * policies (bucket, key, queue…) are judged by their own policies.
 */
export const IDENTITY_POLICY_TYPES = [
  "aws:iam/role:Role",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
] as const;

export interface Document {
  readonly where: string;
  /** Reads the document (through the proxy: an unknown document throws, deferring just it). */
  readonly read: () => unknown;
}

export function identityDocuments(type: string, props: Readonly<Record<string, unknown>>): Document[] {
  if (type === "aws:iam/role:Role") {
    const inline = decodeJson(props.inlinePolicies);
    if (!Array.isArray(inline)) return [];
    return [...inline.keys()].map((i) => ({
      where: `inline policy #${i + 1}`,
      read: () => {
        const entry: unknown = inline[i];
        return isRecord(entry) ? entry.policy : undefined;
      },
    }));
  }
  return props.policy === undefined ? [] : [{ where: "policy", read: () => props.policy }];
}

/** Judges every statement of every identity document of a resource, each document and statement on its own. */
export async function judgeIdentityStatements(
  type: string,
  props: Readonly<Record<string, unknown>>,
  judge: (statement: Statement, where: string) => readonly Verdict[] | Promise<readonly Verdict[]>,
): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const doc of identityDocuments(type, props)) {
    verdicts.push(...(await decideAsync(() => judgeStatements(doc.read(), (s) => judge(s, doc.where)), doc.where)));
  }
  return verdicts;
}

/** IAM action wildcard match, case-insensitive, as IAM evaluates "s3:Get*" against "s3:GetObject". */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return regex.test(action);
}

/**
 * Cloud calls as IAM sees them, and the judgement of recorded calls against a handler's grants.
 * Pure: the recorder (callRecorder.ts) feeds it, the check and its own spec test it.
 */
import type { PolicyDocument, PolicyStatement } from "../../infra/aws/iamDocument";
import { TABLE } from "../../runtime/adapters/tableSchema";

export interface RecordedCall {
  readonly handler: string;
  readonly service: "dynamodb" | "secretsmanager" | "sqs" | "lambda" | "gcs" | "other";
  /** IAM action (dynamodb:GetItem) or GCS permission (storage.objects.create). */
  readonly action: string;
  /** "table", "index/<name>", "secret/<name>", "queue/replies", "function/<name>", "bucket/<bucket>/<prefix>", or what the call named. */
  readonly resource: string;
  /** Partition-key values a table call touches (what dynamodb:LeadingKeys is evaluated on). */
  readonly leadingKeys: readonly string[];
  readonly count: number;
}

type Described = Omit<RecordedCall, "handler" | "count">;

/** lib-dynamodb command names → the DynamoDB API operation (= IAM action) they call. */
const DOCUMENT_OPERATIONS: Readonly<Record<string, string>> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
  TransactGet: "TransactGetItems",
  TransactWrite: "TransactWriteItems",
};

interface CommandLike {
  readonly constructor: { readonly name: string };
  readonly input?: Record<string, unknown>;
}

/** An SDK command as IAM action + resource; undefined for calls recorded elsewhere (secrets by name). */
export function describeSdkCommand(clientName: string, command: unknown): Described | undefined {
  const { constructor, input = {} } = command as CommandLike;
  const name = constructor.name.replace(/Command$/, "");
  if (clientName.startsWith("DynamoDB")) {
    const operation = DOCUMENT_OPERATIONS[name] ?? name;
    const index = typeof input.IndexName === "string" ? input.IndexName : undefined;
    return {
      service: "dynamodb",
      action: `dynamodb:${operation}`,
      resource: index === undefined ? "table" : `index/${index}`,
      leadingKeys: index === undefined ? partitionKeys(operation, input) : [],
    };
  }
  if (clientName.startsWith("SQS")) return { service: "sqs", action: `sqs:${name}`, resource: "queue/replies", leadingKeys: [] };
  // Lambda's Invoke API is authorized as lambda:InvokeFunction on the function it names.
  if (clientName.startsWith("Lambda") && name === "Invoke") return { service: "lambda", action: "lambda:InvokeFunction", resource: `function/${String(input.FunctionName ?? "")}`, leadingKeys: [] };
  // Secrets are noted by name at the secret source (runtime/adapters/secrets.ts), ARN-free.
  if (clientName.startsWith("SecretsManager")) return undefined;
  return { service: "other", action: `${clientName}:${name}`, resource: "*", leadingKeys: [] };
}

/** The partition-key values of an item call, or of a Query's key condition (`pk = :value`). */
function partitionKeys(operation: string, input: Record<string, unknown>): string[] {
  const pk = TABLE.partitionKey;
  const fromItem = (item: unknown) => {
    const value = (item as Record<string, unknown> | undefined)?.[pk];
    if (typeof value === "string") return value;
    const attribute = (value as { S?: unknown } | undefined)?.S;
    return typeof attribute === "string" ? attribute : undefined;
  };
  if (operation === "Query") {
    const condition = typeof input.KeyConditionExpression === "string" ? input.KeyConditionExpression : "";
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const placeholder = /([#\w]+)\s*=\s*(:\w+)/g;
    for (const match of condition.matchAll(placeholder)) {
      const attribute = match[1]?.startsWith("#") ? names[match[1]] : match[1];
      if (attribute === pk) {
        const value = fromItem({ [pk]: ((input.ExpressionAttributeValues ?? {}) as Record<string, unknown>)[match[2] as string] });
        return value === undefined ? ["<unknown>"] : [value];
      }
    }
    return ["<unknown>"];
  }
  const single = fromItem(input.Key) ?? fromItem(input.Item);
  return single === undefined ? ["<unknown>"] : [single];
}

/** GCS JSON-API request → the permission it needs; undefined for anything that is not GCS. */
export function describeGcsRequest(method: string, url: string): Described | undefined {
  const parsed = new URL(url, "http://gcs");
  const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(parsed.pathname);
  const object = /^\/(?:download\/)?storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(parsed.pathname);
  const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(parsed.pathname);
  const bucketOnly = /^\/storage\/v1\/b(?:\/([^/]+))?$/.exec(parsed.pathname);
  const verb = method.toUpperCase();
  const where = (bucket: string, name: string) => `bucket/${decodeURIComponent(bucket)}/${decodeURIComponent(name).split("/")[0] ?? ""}`;
  if (upload?.[1] !== undefined && verb === "POST") return gcs("storage.objects.create", where(upload[1], parsed.searchParams.get("name") ?? ""));
  if (object?.[1] !== undefined && object[2] !== undefined) {
    const permission = { GET: "storage.objects.get", PATCH: "storage.objects.update", PUT: "storage.objects.update", DELETE: "storage.objects.delete" }[verb] ?? `storage.objects.${verb}`;
    return gcs(permission, where(object[1], object[2]));
  }
  if (list?.[1] !== undefined && verb === "GET") return gcs("storage.objects.list", where(list[1], parsed.searchParams.get("prefix") ?? ""));
  if (bucketOnly !== null) return gcs(`storage.buckets.${verb === "GET" ? "get" : verb.toLowerCase()}`, `bucket/${bucketOnly[1] ?? "*"}`);
  return undefined;
}

function gcs(action: string, resource: string): Described {
  return { service: "gcs", action, resource, leadingKeys: [] };
}

/** IAM-style wildcard match (`*` any run, `?` one character). */
export function globMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return regex.test(value);
}

const asList = <T>(value: T | readonly T[] | undefined): readonly T[] => (value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T]);

/**
 * Whether one statement allows `action` on `arn` for a call touching `leadingKeys`. Conditions other
 * than dynamodb:LeadingKeys count as unmet (fail closed): the statements that carry them (KMS via a
 * service) are not ones code calls directly.
 */
function allows(statement: PolicyStatement, action: string, arn: string, leadingKeys: readonly string[]): boolean {
  if (statement.Effect !== "Allow") return false;
  if (!asList(statement.Action).some((a) => globMatch(a, action))) return false;
  if (!asList(statement.Resource).some((r) => globMatch(r, arn))) return false;
  const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
  if (condition === undefined) return true;
  for (const [operator, entries] of Object.entries(condition)) {
    for (const [key, expected] of Object.entries(entries)) {
      if (operator !== "ForAllValues:StringLike" || key !== "dynamodb:LeadingKeys") return false;
      const patterns = asList(expected as string | string[]);
      if (!leadingKeys.every((value) => patterns.some((p) => globMatch(p, value)))) return false;
    }
  }
  return true;
}

export function policyAllows(policy: PolicyDocument, action: string, arn: string, leadingKeys: readonly string[]): boolean {
  return policy.Statement.some((statement) => allows(statement, action, arn, leadingKeys));
}

/** Every (action, resource) pair a policy grants, for the services code calls directly. */
export function grantedPairs(policy: PolicyDocument, services: readonly string[]): { action: string; arn: string }[] {
  const pairs: { action: string; arn: string }[] = [];
  for (const statement of policy.Statement) {
    if (statement.Effect !== "Allow") continue;
    for (const action of asList(statement.Action)) {
      if (!services.includes(action.split(":")[0] ?? "")) continue;
      for (const arn of asList(statement.Resource)) pairs.push({ action, arn });
    }
  }
  return pairs;
}

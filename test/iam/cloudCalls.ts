/**
 * Cloud calls as IAM sees them: what the recorder (callRecorder.ts) writes down for each SDK command
 * or HTTP request a handler makes. Pure; the judge (judge.ts) evaluates them.
 */
import { TABLE } from "../../runtime/adapters/tableSchema";

export interface RecordedCall {
  readonly handler: string;
  readonly service: "dynamodb" | "secretsmanager" | "sqs" | "lambda" | "gcs" | "gcp" | "other";
  /**
   * IAM action (dynamodb:GetItem), GCS permission (storage.objects.create), or for the federation
   * path Google STS's token exchange (sts.googleapis.com/token) and IAM Credentials'
   * iam.serviceAccounts.getAccessToken.
   */
  readonly action: string;
  /**
   * The real ARN where the call named one (a queue URL's ARN, a secret ARN, a function ARN); else
   * "table", "index/<name>", "secret/<name>" (local secret source), "queue/replies" (local store
   * stand-in), "function/<name>", "bucket/<bucket>/<prefix>", the Workload Identity provider a token
   * exchange names, or the service account whose token is asked for.
   */
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
  if (clientName.startsWith("SQS")) {
    const url = typeof input.QueueUrl === "string" ? input.QueueUrl : "";
    return { service: "sqs", action: `sqs:${name}`, resource: queueArnFromUrl(url) ?? `queue/${url}`, leadingKeys: [] };
  }
  // Lambda's Invoke API is authorized as lambda:InvokeFunction on the function it names.
  if (clientName.startsWith("Lambda") && name === "Invoke") return { service: "lambda", action: "lambda:InvokeFunction", resource: `function/${String(input.FunctionName ?? "")}`, leadingKeys: [] };
  // Deployed: by ARN, as the function's environment names it (the secret source also notes the name).
  if (clientName.startsWith("SecretsManager")) {
    const id = String(input.SecretId ?? "");
    return { service: "secretsmanager", action: `secretsmanager:${name}`, resource: id.startsWith("arn:") ? id : `secret/${id}`, leadingKeys: [] };
  }
  return { service: "other", action: `${clientName}:${name}`, resource: "*", leadingKeys: [] };
}

/**
 * https://sqs.<region>.amazonaws.com/<account>/<name> → arn:aws:sqs:<region>:<account>:<name>
 * (SQS's queue URL format: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html).
 */
export function queueArnFromUrl(url: string): string | undefined {
  const match = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/([A-Za-z0-9_.-]+)$/.exec(url);
  return match === null ? undefined : `arn:aws:sqs:${match[1]}:${match[2]}:${match[3]}`;
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

/**
 * The federation path of an external_account credential (google-auth-library): Google STS's token
 * exchange (POST /v1/token, https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token;
 * its `audience` names the Workload Identity provider) and IAM Credentials' generateAccessToken
 * (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken,
 * which needs iam.serviceAccounts.getAccessToken on the service account). `body` is the request body.
 */
export function describeFederationRequest(method: string, url: string, body: string): Described | undefined {
  if (method.toUpperCase() !== "POST") return undefined;
  const path = new URL(url, "http://google").pathname;
  if (path === "/v1/token") {
    let audience: unknown;
    try {
      audience = body.trimStart().startsWith("{") ? (JSON.parse(body) as { audience?: unknown }).audience : new URLSearchParams(body).get("audience");
    } catch {
      audience = undefined;
    }
    return { service: "gcp", action: "sts.googleapis.com/token", resource: String(audience ?? "").replace(/^\/\/iam\.googleapis\.com\//, ""), leadingKeys: [] };
  }
  const token = /^\/v1\/projects\/[^/]+\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(path);
  if (token?.[1] !== undefined) return { service: "gcp", action: "iam.serviceAccounts.getAccessToken", resource: decodeURIComponent(token[1]), leadingKeys: [] };
  return undefined;
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

/**
 * Judges one handler's recorded calls against what the program grants it (iamWorld.ts): AWS calls
 * with a real IAM evaluation engine (simulate.ts) over its role's identity policy and the resource's
 * policy, including the KMS use each call implies through the service it calls; GCP calls against
 * the archive's IAM bindings and the Workload Identity provider. It fails both ways: a call not
 * granted, or a grant nothing exercised.
 */
import { ENV } from "../../runtime/env";
import type { HandlerName } from "../../runtime/routes";
import type { PolicyDocument } from "../../infra/aws/iamDocument";
import { globMatch, queueArnFromUrl, type RecordedCall } from "./cloudCalls";
import type { HandlerIdentity, IamWorld } from "./iamWorld";
import { decide } from "./simulate";

export interface Row {
  readonly handler: HandlerName;
  readonly action: string;
  readonly resource: string;
  readonly granted: boolean;
  /** Calls recorded (0 = granted but never exercised). */
  readonly used: number;
  /** Why a row is there without a call of the code's own (a service acting with the role), or why it was refused. */
  readonly note?: string;
}

export interface Judgement {
  readonly rows: Row[];
  /** Calls the handler made (or implied) that its grants do not allow. */
  readonly notGranted: Row[];
  /** Grants no recorded call exercised. */
  readonly unexercised: Row[];
}

/** A request to judge: what the code called, or what a service did for it with the role. */
interface Request {
  readonly cloud: "aws" | "gcp";
  readonly action: string;
  readonly resource: string;
  readonly shown: string;
  readonly count: number;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  readonly resourcePolicy?: PolicyDocument;
  /** Set for requests a service makes with the role (KMS through a service, Lambda's async DLQ). */
  readonly note?: string;
}

/** Services whose grants must be exercised (logs and X-Ray are used by Lambda itself for every function). */
const JUDGED_SERVICES = ["dynamodb", "secretsmanager", "sqs", "lambda", "kms"];

/** roles/iam.workloadIdentityUser includes iam.serviceAccounts.getAccessToken (https://cloud.google.com/iam/docs/understanding-roles#iam.workloadIdentityUser). */
const WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";

const shortArn = (arn: string): string => arn.replace(/^arn:aws:[\w-]+:[\w-]*:\d*:/, "");

/**
 * The KMS calls AWS makes with the caller's credentials when a call touches a resource encrypted
 * with a customer-managed key, each with the encryption context the service documents:
 * - DynamoDB decrypts the table key (kms:Decrypt) on access; context aws:dynamodb:tableName and
 *   aws:dynamodb:subscriberId (https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html).
 *   DescribeKey and GenerateDataKey are used when the table (key) is created, by its creator.
 * - Secrets Manager decrypts the secret version on GetSecretValue (kms:Decrypt); context SecretARN
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
 * - SQS: a producer needs kms:GenerateDataKey and kms:Decrypt on the queue's key; context aws:sqs:arn
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
 * - Lambda decrypts the function's environment (kms:Decrypt); context aws:lambda:FunctionArn
 *   (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html).
 */
function kmsThrough(world: IamWorld, service: string, actions: readonly string[], keyArn: string | undefined, encryptionContext: Record<string, string>, count: number, why: string): Request[] {
  if (keyArn === undefined) return [];
  const context: Record<string, string> = {
    "kms:ViaService": `${service}.${world.region}.amazonaws.com`,
    "kms:CallerAccount": world.accountId,
    ...Object.fromEntries(Object.entries(encryptionContext).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
  };
  return actions.map((action) => ({
    cloud: "aws",
    action,
    resource: keyArn,
    shown: `${shortArn(keyArn)} via ${service}`,
    count,
    context,
    resourcePolicy: world.keyPolicies.get(keyArn),
    note: why,
  }));
}

/** The queue the replies dead letters go to: the one a handler's environment names. */
function repliesQueueArn(world: IamWorld): string | undefined {
  for (const identity of world.handlers.values()) {
    const url = identity.environment[ENV.deadLetterQueueUrl];
    if (url !== undefined) return queueArnFromUrl(url);
  }
  return undefined;
}

/**
 * Local stand-ins: in local mode the replies dead-letter queue is a store item (runtime/outbound
 * deadLetters.ts StoreDeadLetters, pk DEADLETTER#REPLY#…); such a PutItem is the SendMessage it replaces.
 */
function asDeployed(call: RecordedCall): RecordedCall & { local?: string } {
  if (call.action === "dynamodb:PutItem" && call.leadingKeys.length > 0 && call.leadingKeys.every((k) => k.startsWith("DEADLETTER#REPLY#"))) {
    return { ...call, service: "sqs", action: "sqs:SendMessage", resource: "queue/replies", leadingKeys: [], local: "local: store item" };
  }
  return call;
}

/** One recorded call → the request(s) AWS or GCP authorizes for it. */
function requestsFor(world: IamWorld, identity: HandlerIdentity | undefined, recorded: RecordedCall): Request[] {
  const call = asDeployed(recorded);
  const suffix = "local" in call && call.local !== undefined ? ` (${call.local})` : "";
  const keys = call.leadingKeys.length === 0 ? "" : ` keys ${[...new Set(call.leadingKeys.map((k) => k.replace(/#[^#]*$/, "#…")))].join(",")}`;
  switch (call.service) {
    case "dynamodb": {
      const resource = call.resource === "table" ? world.table.arn : call.resource.startsWith("index/") ? `${world.table.arn}/${call.resource}` : call.resource;
      const context: Record<string, readonly string[]> = call.leadingKeys.length > 0 ? { "dynamodb:LeadingKeys": call.leadingKeys } : {};
      return [
        { cloud: "aws", action: call.action, resource, shown: `${shortArn(resource)}${keys}${suffix}`, count: call.count, context },
        ...kmsThrough(world, "dynamodb", ["kms:Decrypt"], world.table.keyArn, { "aws:dynamodb:tableName": world.table.name, "aws:dynamodb:subscriberId": world.accountId }, call.count, "DynamoDB decrypts the table key"),
      ];
    }
    case "secretsmanager": {
      const byName = call.resource.startsWith("secret/") ? world.secrets.get(call.resource.slice("secret/".length)) : undefined;
      const resource = byName?.arn ?? call.resource;
      const secret = [...world.secrets.values()].find((s) => s.arn === resource);
      const local = call.resource.startsWith("secret/") ? " (by name)" : "";
      return [
        { cloud: "aws", action: call.action, resource, shown: `${shortArn(resource)}${local}`, count: call.count, context: {} },
        ...kmsThrough(world, "secretsmanager", ["kms:Decrypt"], secret?.keyArn, { SecretARN: resource }, call.count, "Secrets Manager decrypts the secret"),
      ];
    }
    case "sqs": {
      const resource = call.resource === "queue/replies" ? (repliesQueueArn(world) ?? call.resource) : call.resource;
      const queue = world.queues.get(resource);
      return [
        {
          cloud: "aws",
          action: call.action,
          resource,
          shown: `${shortArn(resource)}${suffix}`,
          count: call.count,
          // The SDK only speaks HTTPS to SQS: what the queue policy's DenyInsecureTransport tests.
          context: { "aws:SecureTransport": "true" },
          ...(queue?.policy ? { resourcePolicy: queue.policy } : {}),
        },
        ...kmsThrough(world, "sqs", ["kms:GenerateDataKey", "kms:Decrypt"], queue?.keyArn, { "aws:sqs:arn": resource }, call.count, "SQS encrypts the message"),
      ];
    }
    case "lambda": {
      const name = call.resource.replace(/^function\//, "");
      const target =
        [...world.handlers.values()].find((h) => h.functionName === name || h.functionArn === name) ??
        // A test's own outbox function name (…-outbox) stands for the deployed outbox.
        (/-outbox$/.test(name) ? world.handlers.get("outbox") : undefined);
      const resource = target?.functionArn ?? (name.startsWith("arn:") ? name : `arn:aws:lambda:${world.region}:${world.accountId}:function:${name}`);
      return [{ cloud: "aws", action: call.action, resource, shown: shortArn(resource), count: call.count, context: {} }];
    }
    case "gcs":
      return [{ cloud: "gcp", action: call.action, resource: "archive bucket", shown: "archive bucket", count: call.count }];
    case "gcp":
      return [{ cloud: "gcp", action: call.action, resource: call.resource, shown: call.resource.replace(/^projects\/\d+\/locations\/global\//, ""), count: call.count }];
    default:
      return [{ cloud: "aws", action: call.action, resource: call.resource, shown: call.resource, count: call.count, note: `not a call this judge knows (${identity?.handler ?? "?"})` }];
  }
}

/** What a running function implies without a call of its own: Lambda decrypting its environment, Lambda's async DLQ. */
function serviceRequests(world: IamWorld, identity: HandlerIdentity, invoked: boolean): Request[] {
  const requests: Request[] = [];
  if (invoked) {
    requests.push(
      ...kmsThrough(world, "lambda", ["kms:Decrypt"], identity.environmentKeyArn, { "aws:lambda:FunctionArn": identity.functionArn }, 1, "Lambda decrypts the function's environment at each cold start"),
    );
  }
  const dlq = identity.asyncDeadLetterQueueArn;
  if (dlq !== undefined) {
    const why = "Lambda itself sends failed async invocations to this queue with the function's role";
    const queue = world.queues.get(dlq);
    requests.push(
      { cloud: "aws", action: "sqs:SendMessage", resource: dlq, shown: shortArn(dlq), count: 0, context: { "aws:SecureTransport": "true" }, ...(queue?.policy ? { resourcePolicy: queue.policy } : {}), note: why },
      ...kmsThrough(world, "sqs", ["kms:GenerateDataKey", "kms:Decrypt"], queue?.keyArn, { "aws:sqs:arn": dlq }, 0, why),
    );
  }
  return requests;
}

/**
 * The provider's attribute condition admits the role's sessions. Hand-written because no CEL engine
 * is installed: it understands only the form infra/gcp/workloadIdentity.ts writes
 * (`attribute.aws_role == "<arn>"` joined by `||`) and refuses anything else (fail closed).
 */
export function conditionAdmits(condition: string, assumedRole: string): boolean {
  const alternatives = condition.split("||").map((part) => /^\s*attribute\.aws_role\s*==\s*"([^"]+)"\s*$/.exec(part)?.[1]);
  return alternatives.every((arn) => arn !== undefined) && alternatives.includes(assumedRole);
}

const assumedRoleOf = (roleArn: string): string => roleArn.replace(/^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/, "arn:aws:sts::$1:assumed-role/$2");

/** What GCP grants the handler's federated identity (empty without one). */
function gcpGrants(world: IamWorld, identity: HandlerIdentity | undefined): { action: string; resource: string }[] {
  if (identity?.gcp === undefined) return [];
  const { audience, serviceAccount } = identity.gcp;
  const permissions = world.gcp.bucketBindings
    .filter((b) => b.bucket === world.gcp.bucket && b.member === `serviceAccount:${serviceAccount}`)
    .flatMap((b) => world.gcp.roles.get(b.role) ?? []);
  const pool = audience.replace(/\/providers\/[^/]+$/, "");
  const impersonates = world.gcp.serviceAccountBindings.some(
    (b) =>
      b.serviceAccountId.endsWith(`/serviceAccounts/${serviceAccount}`) &&
      b.role === WORKLOAD_IDENTITY_USER &&
      b.member === `principalSet://iam.googleapis.com/${pool}/attribute.aws_role/${assumedRoleOf(identity.roleArn)}`,
  );
  const exchanges = conditionAdmits(world.gcp.providers.get(audience) ?? "", assumedRoleOf(identity.roleArn));
  return [
    ...(exchanges ? [{ action: "sts.googleapis.com/token", resource: audience }] : []),
    ...(impersonates ? [{ action: "iam.serviceAccounts.getAccessToken", resource: serviceAccount }] : []),
    ...[...new Set(permissions)].map((action) => ({ action, resource: "archive bucket" })),
  ];
}

export async function judgeHandler(world: IamWorld, handler: HandlerName, calls: readonly RecordedCall[]): Promise<Judgement> {
  const identity = world.handlers.get(handler);
  const mine = calls.filter((call) => call.handler === handler);
  const requests = [...mine.flatMap((call) => requestsFor(world, identity, call)), ...(identity ? serviceRequests(world, identity, mine.length > 0) : [])];
  const grantsGcp = gcpGrants(world, identity);

  const rows: Row[] = [];
  /** Uses per identity statement, action and resource: what a grant's use is attributed to. */
  const uses: { sid: string; action: string; resource: string; count: number }[] = [];
  const gcpUses: { action: string; resource: string; count: number }[] = [];
  for (const request of requests) {
    let granted = false;
    let refusal: string | undefined;
    if (request.cloud === "gcp") {
      granted = grantsGcp.some((g) => g.action === request.action && g.resource === request.resource);
      if (granted) gcpUses.push({ action: request.action, resource: request.resource, count: Math.max(request.count, 1) });
    } else if (identity !== undefined && request.note?.startsWith("not a call") !== true) {
      const decision = await decide({
        principal: identity.roleArn,
        accountId: world.accountId,
        action: request.action,
        resource: request.resource,
        context: request.context ?? {},
        identityPolicy: identity.identityPolicy,
        ...(request.resourcePolicy !== undefined ? { resourcePolicy: request.resourcePolicy } : {}),
      });
      granted = decision.allowed;
      if (!granted) refusal = decision.result;
      for (const sid of decision.allowedBy) uses.push({ sid, action: request.action, resource: request.resource, count: Math.max(request.count, 1) });
    }
    const note = request.note ?? (refusal !== undefined && refusal !== "ImplicitlyDenied" ? refusal : undefined);
    rows.push({ handler, action: request.action, resource: request.shown, granted, used: request.count, ...(note !== undefined ? { note } : {}) });
  }

  const unexercised: Row[] = [];
  for (const statement of identity?.identityPolicy.Statement ?? []) {
    if (statement.Effect !== "Allow") continue;
    const resources = statement.Resource === "*" || statement.Resource === undefined ? ["*"] : statement.Resource;
    for (const action of statement.Action) {
      if (!JUDGED_SERVICES.includes(action.split(":")[0] ?? "")) continue;
      for (const resource of resources) {
        const used = uses.filter((u) => u.sid === statement.Sid && globMatch(action, u.action) && globMatch(resource, u.resource)).reduce((n, u) => n + u.count, 0);
        if (used > 0) continue;
        const shown = `${shortArn(resource)}${statement.Condition?.StringEquals?.["kms:ViaService"] !== undefined ? ` via ${String(statement.Condition.StringEquals["kms:ViaService"]).split(".")[0]}` : ""}`;
        const row: Row = { handler, action, resource: shown, granted: true, used: 0 };
        rows.push(row);
        unexercised.push(row);
      }
    }
  }
  for (const grant of grantsGcp) {
    if (gcpUses.some((u) => u.action === grant.action && u.resource === grant.resource)) continue;
    const row: Row = { handler, action: grant.action, resource: grant.resource.replace(/^projects\/\d+\/locations\/global\//, ""), granted: true, used: 0 };
    rows.push(row);
    unexercised.push(row);
  }
  const merged = mergeRows(rows);
  return { rows: merged, notGranted: merged.filter((row) => !row.granted), unexercised };
}

function mergeRows(rows: Row[]): Row[] {
  const merged = new Map<string, Row>();
  for (const row of rows) {
    const key = `${row.action} ${row.resource}`;
    const seen = merged.get(key);
    merged.set(key, seen === undefined ? row : { ...seen, used: seen.used + row.used, granted: seen.granted && row.granted });
  }
  return [...merged.values()].sort((a, b) => a.action.localeCompare(b.action) || a.resource.localeCompare(b.resource));
}

export function formatTable(rows: readonly Row[]): string {
  const header = ["handler", "action", "resource", "granted", "used"];
  const cells = rows.map((r) => [r.handler, r.action, r.resource, r.granted ? "yes" : "NO", r.used === 0 ? (r.note ? "service" : "NEVER") : String(r.used)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

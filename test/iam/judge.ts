/**
 * Judges one handler's recorded calls against its grants: the IAM policy generated from its
 * declaration (infra/aws/access.ts → functionPolicy) and, for GCS, the permissions of the archive
 * role its identity federates to.
 */
import { ACCESS } from "../../infra/aws/access";
import { functionPolicy, type PolicyRefs } from "../../infra/aws/functionPolicy";
import { ARCHIVE_READER_PERMISSIONS, ARCHIVE_WRITER_PERMISSIONS } from "../../infra/gcp/archive";
import { SECRET_NAMES } from "../../runtime/env";
import type { HandlerName } from "../../runtime/routes";
import { grantedPairs, policyAllows, type RecordedCall } from "./cloudCalls";

const ACCOUNT = "111111111111";
const REGION = "eu-west-1";
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/botfleet`;
const SECRET_ARN = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:botfleet/${name}-AbCdEf`;

export function refsFor(handler: HandlerName): PolicyRefs {
  return {
    region: REGION,
    logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/botfleet-${handler}`,
    tableArn: TABLE_ARN,
    secretArns: Object.fromEntries(SECRET_NAMES.map((name) => [name, SECRET_ARN(name)])) as PolicyRefs["secretArns"],
    dataKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/data`,
    secretsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/secrets`,
    repliesDeadLetterQueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:botfleet-replies-dlq`,
    asyncDeadLetterQueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:botfleet-${handler}-async-dlq`,
    outboxFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:botfleet-outbox`,
  };
}

/** The recorded resource name as the ARN the policy names. */
function arnOf(resource: string, refs: PolicyRefs): string {
  if (resource === "table") return refs.tableArn;
  if (resource.startsWith("index/")) return `${refs.tableArn}/${resource}`;
  if (resource.startsWith("secret/")) return SECRET_ARN(resource.slice("secret/".length));
  if (resource === "queue/replies") return refs.repliesDeadLetterQueueArn;
  // The outbox function under the name a test gave it (…-outbox) stands for the deployed one.
  if (/^function\/[\w-]*-outbox$/.test(resource)) return refs.outboxFunctionArn ?? resource;
  return resource;
}

/**
 * GCS permissions of the service account a handler's role federates to (Workload Identity): the
 * writer role for `archive: "write"`, the reader role for `archive: "read"` (infra/gcp/archive.ts).
 */
export function archiveGrants(handler: HandlerName): readonly string[] {
  const archive = ACCESS[handler].archive;
  return archive === "write" ? ARCHIVE_WRITER_PERMISSIONS : archive === "read" ? ARCHIVE_READER_PERMISSIONS : [];
}

/**
 * Grants code never uses itself, each with the reason; they are not required to be exercised.
 * Everything else a policy grants for dynamodb/secretsmanager/sqs, and every GCS permission, must be.
 */
export function serviceUsedGrants(handler: HandlerName, refs: PolicyRefs): { action: string; arn: string; reason: string }[] {
  return ACCESS[handler].invokedAsync
    ? [{ action: "sqs:SendMessage", arn: refs.asyncDeadLetterQueueArn, reason: "Lambda itself sends failed async invocations to this queue with the function's role" }]
    : [];
}

/**
 * Local stand-ins: in local mode the replies dead-letter queue is a store item (runtime/outbound
 * deadLetters.ts StoreDeadLetters, pk DEADLETTER#REPLY#…); such a PutItem is the SendMessage it
 * replaces, granted (or not) by the SQS statement.
 */
function localCounterpart(call: RecordedCall): { action: string; resource: string } | undefined {
  if (call.action === "dynamodb:PutItem" && call.leadingKeys.length > 0 && call.leadingKeys.every((k) => k.startsWith("DEADLETTER#REPLY#"))) {
    return { action: "sqs:SendMessage", resource: "queue/replies" };
  }
  return undefined;
}

export interface Row {
  readonly handler: HandlerName;
  readonly action: string;
  readonly resource: string;
  readonly granted: boolean;
  /** Calls recorded (0 = granted but never exercised). */
  readonly used: number;
  readonly note?: string;
}

export interface Judgement {
  readonly rows: Row[];
  /** Calls the handler made that its grants do not allow. */
  readonly notGranted: Row[];
  /** Grants no recorded call exercised. */
  readonly unexercised: Row[];
}

export function judgeHandler(handler: HandlerName, calls: readonly RecordedCall[]): Judgement {
  const refs = refsFor(handler);
  const policy = functionPolicy(ACCESS[handler], refs);
  const gcsGranted = archiveGrants(handler);
  const mine = calls.filter((call) => call.handler === handler);
  const rows: Row[] = [];
  const usedArns = new Map<string, number>();
  const markUsed = (action: string, arn: string, count: number) => usedArns.set(`${action} ${arn}`, (usedArns.get(`${action} ${arn}`) ?? 0) + count);

  for (const recorded of mine) {
    // A local stand-in is judged as the call it stands for (deployed, the store item is never written).
    const counterpart = localCounterpart(recorded);
    const call: RecordedCall = counterpart === undefined ? recorded : { ...recorded, service: "sqs", ...counterpart, leadingKeys: [] };
    let granted: boolean;
    if (call.service === "gcs") {
      granted = gcsGranted.includes(call.action);
      markUsed(call.action, "archive bucket", call.count);
    } else if (call.service === "other") {
      granted = false;
    } else {
      const arn = arnOf(call.resource, refs);
      granted = policyAllows(policy, call.action, arn, call.leadingKeys);
      markUsed(call.action, arn, call.count);
    }
    const keys = call.leadingKeys.length === 0 ? "" : ` keys ${[...new Set(call.leadingKeys.map((k) => k.replace(/#[^#]*$/, "#…")))].join(",")}`;
    const shown = call.service === "gcs" ? "archive bucket" : shortArn(arnOf(call.resource, refs));
    rows.push({ handler, action: call.action, resource: `${shown}${keys}${counterpart === undefined ? "" : " (local: store item)"}`, granted, used: call.count });
  }

  const serviceUsed = serviceUsedGrants(handler, refs);
  const grants = [
    ...grantedPairs(policy, ["dynamodb", "secretsmanager", "sqs", "lambda"]),
    ...gcsGranted.map((permission) => ({ action: permission, arn: "archive bucket" })),
  ];
  const unexercised: Row[] = [];
  for (const grant of grants) {
    const exempt = serviceUsed.find((s) => s.action === grant.action && s.arn === grant.arn);
    const used = [...usedArns.entries()].filter(([key]) => key === `${grant.action} ${grant.arn}`).reduce((sum, [, n]) => sum + n, 0);
    const row: Row = { handler, action: grant.action, resource: shortArn(grant.arn), granted: true, used, ...(exempt ? { note: exempt.reason } : {}) };
    if (used === 0) {
      rows.push(row);
      if (exempt === undefined) unexercised.push(row);
    }
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

function shortArn(arn: string): string {
  return arn.replace(/^arn:aws:[\w-]+:[\w-]*:\d*:/, "");
}

export function formatTable(rows: readonly Row[]): string {
  const header = ["handler", "action", "resource", "granted", "used"];
  const cells = rows.map((r) => [r.handler, r.action, r.resource, r.granted ? "yes" : "NO", r.used === 0 ? (r.note ? "service" : "NEVER") : String(r.used)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

import { hash, randomBytes } from "node:crypto";
import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { firstUse } from "../firstUse";
import { KEYS } from "../adapters/store";
import { TABLE } from "../adapters/tableSchema";
import { type Principal } from "../auth/verifyBearer";
import { type Ticket } from "../domain/types";
import { type HttpRequest } from "../http/entry";
import { type HttpResult } from "../http/event";
import { json } from "../http/respond";
import { deliverReply, windowBefore } from "../outbound/deliverReply";
import { replyIntent, type ReplyIntent, type ReplyTarget } from "../outbound/replyIntent";
import { idempotencyKey, parseBody, parseQuery, pathId } from "./body";
import { ConflictError, NotFoundError } from "./errors";
import { decodeCursor, encodeCursor } from "./cursor";
import { type ApiDeps } from "./deps";

const { byStatus } = TABLE.indexes;
const MAX_MESSAGES = 500;
const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

// Each route's schemas are built on its first request (firstUse.ts), not at every cold start.
const listQuery = firstUse(() =>
  z.strictObject({
    status: z._default(z.enum(["open", "closed"]), "open"),
    platform: z.optional(z.enum(["telegram", "discord", "slack", "meta"])),
    limit: z._default(z.pipe(z.string().check(z.regex(/^\d{1,3}$/)), z.pipe(z.transform(Number), z.number().check(z.gte(1), z.lte(100)))), 25),
    cursor: z.optional(z.string()),
  }),
);

/**
 * GET /api/tickets: one status at a time (default open), most recently updated first, from the
 * by-status index. `platform` is a filter on that Query (a page may hold fewer than `limit`
 * tickets; follow `nextCursor`). Never a Scan.
 */
export async function listTickets(deps: ApiDeps, request: HttpRequest): Promise<HttpResult> {
  const query = parseQuery(request, listQuery());
  const partition = `TICKETS#${query.status}`;
  const page = await deps.documents.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: byStatus.name,
      KeyConditionExpression: "#pk = :pk",
      ...(query.platform ? { FilterExpression: "#platform = :platform" } : {}),
      ExpressionAttributeNames: { "#pk": byStatus.partitionKey, ...(query.platform ? { "#platform": "platform" } : {}) },
      ExpressionAttributeValues: { ":pk": partition, ...(query.platform ? { ":platform": query.platform } : {}) },
      ScanIndexForward: false,
      Limit: query.limit,
      ExclusiveStartKey: query.cursor === undefined ? undefined : decodeCursor(query.cursor, partition),
    }),
  );
  const nextCursor = encodeCursor(page.LastEvaluatedKey);
  return json(200, { tickets: (page.Items ?? []).filter((item) => item.type === "ticket").map(ticketView), ...(nextCursor ? { nextCursor } : {}) });
}

/** GET /api/tickets/{id}: the ticket with its messages, oldest first (at most 500). */
export async function getTicket(deps: ApiDeps, request: HttpRequest): Promise<HttpResult> {
  const item = await ticketItem(deps, pathId(request));
  const messages: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.documents.send(
      new QueryCommand({
        TableName: deps.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :msg)",
        ExpressionAttributeNames: { "#pk": TABLE.partitionKey, "#sk": TABLE.sortKey },
        ExpressionAttributeValues: { ":pk": KEYS.ticket(String(item.id)).pk, ":msg": "MSG#" },
        Limit: MAX_MESSAGES - messages.length,
        ExclusiveStartKey: startKey,
      }),
    );
    messages.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined && messages.length < MAX_MESSAGES);
  return json(200, {
    ticket: ticketView(item),
    messages: messages.map((m) => ({ author: String(m.author), text: String(m.text), sentAt: iso(m.sentAt), ...(typeof m.agent === "string" ? { agent: m.agent } : {}) })),
    ...(startKey !== undefined ? { messagesTruncated: true } : {}),
  });
}

const replyBody = firstUse(() => z.strictObject({ text: z.string().check(z.trim(), z.minLength(1), z.maxLength(4000)) }));

/**
 * POST /api/tickets/{id}/messages (agent): records the reply on the ticket and sends it to the
 * user's platform, within this invocation's time. With the same Idempotency-Key the request is
 * answered again without a second message or send. The claim is listed for the outbox function:
 * should this invocation end before the reply is settled (its time ran out, it was killed), the
 * outbox finishes it — sent, or failed and dead-lettered; never claimed forever, never sent twice.
 */
export async function replyToTicket(deps: ApiDeps, request: HttpRequest, principal: Principal): Promise<HttpResult> {
  const ticketId = pathId(request);
  const key = idempotencyKey(request);
  const { text } = parseBody(request, replyBody());
  const item = await ticketItem(deps, ticketId);
  const target = replyTarget(item, deps.whatsappPhoneNumberId);
  const replyId = key === undefined ? randomBytes(16).toString("base64url") : digest(`${ticketId}\u0000${principal.subject}\u0000${key}`);
  const intent: ReplyIntent = { replyId, ticketId, target, text };
  if (!replyIntent().safeParse(intent).success) throw new ConflictError("ticket owner cannot be addressed", "reply intent invalid");
  const now = deps.clock();
  const window = windowBefore(request.deadline.at, { listForOutbox: true, agentMessage: { agent: principal.subject, platform: String(item.platform), userId: String(item.userId) } });
  const delivery = await deliverReply(intent, deps.outbound, window);
  if (delivery.status === "duplicate") return json(200, { replyId, duplicate: true, delivery: delivery.previous });
  await deps.audit.write({
    who: principal.subject,
    what: "ticket.reply",
    target: ticketId,
    when: now,
    reference: request.reference,
    details: { replyId, delivery: delivery.status, ...(delivery.status === "pending" ? {} : { attempts: delivery.attempts }) },
  });
  // 202: recorded, and the outbox sends it (this invocation had no time left to).
  return json(delivery.status === "pending" ? 202 : 201, { replyId, delivery });
}

const patchBody = firstUse(() =>
  z
    .strictObject({
      status: z.optional(z.enum(["open", "closed"])),
      assignee: z.optional(z.nullable(z.string().check(z.regex(/^[A-Za-z0-9@._:|-]{1,128}$/)))),
    })
    .check(z.refine((body) => body.status !== undefined || body.assignee !== undefined, "status or assignee required")),
);

/** PATCH /api/tickets/{id} (agent): status and/or assignee (null unassigns). */
export async function updateTicket(deps: ApiDeps, request: HttpRequest, principal: Principal): Promise<HttpResult> {
  const ticketId = pathId(request);
  const body = parseBody(request, patchBody());
  const ticket = await deps.store.getTicket(ticketId);
  if (!ticket) throw new NotFoundError("ticket");
  const now = deps.clock();
  if (body.status !== undefined && body.status !== ticket.status) {
    await deps.store.setTicketStatus(ticket, body.status, now);
    if (body.status === "closed") await deps.store.clearOpenTicket(ticket.owner, ticket.id);
  }
  if (body.assignee !== undefined) await setAssignee(deps, ticket, body.assignee, now);
  await deps.audit.write({
    who: principal.subject,
    what: "ticket.update",
    target: ticketId,
    when: now,
    reference: request.reference,
    details: { ...(body.status ? { status: body.status } : {}), ...(body.assignee !== undefined ? { assigned: body.assignee !== null } : {}) },
  });
  return json(200, { ticket: ticketView(await ticketItem(deps, ticketId)) });
}

async function setAssignee(deps: ApiDeps, ticket: Ticket, assignee: string | null, now: number): Promise<void> {
  await deps.documents.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: KEYS.ticket(ticket.id),
      UpdateExpression: assignee === null ? "REMOVE assignee SET updatedAt = :now" : "SET assignee = :assignee, updatedAt = :now",
      ConditionExpression: "attribute_exists(#pk)",
      ExpressionAttributeNames: { "#pk": TABLE.partitionKey },
      ExpressionAttributeValues: { ":now": now, ...(assignee === null ? {} : { ":assignee": assignee }) },
    }),
  );
}

async function ticketItem(deps: ApiDeps, ticketId: string): Promise<Record<string, unknown>> {
  const { Item } = await deps.documents.send(new GetCommand({ TableName: deps.tableName, Key: KEYS.ticket(ticketId), ConsistentRead: true }));
  if (Item?.type !== "ticket") throw new NotFoundError("ticket");
  return Item;
}

function ticketView(item: Record<string, unknown>) {
  return {
    id: String(item.id),
    platform: String(item.platform),
    userId: String(item.userId),
    subject: String(item.subject),
    status: String(item.status),
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
    ...(typeof item.assignee === "string" ? { assignee: item.assignee } : {}),
    ...(item.lastReplyFailure !== undefined ? { lastReplyFailure: item.lastReplyFailure } : {}),
  };
}

/** Where a reply to the ticket's owner goes, from the user ids the platform modules store. */
export function replyTarget(item: Record<string, unknown>, whatsappPhoneNumberId: string | undefined): ReplyTarget {
  const userId = String(item.userId);
  switch (item.platform) {
    case "telegram":
      return { platform: "telegram", chatId: userId };
    case "discord":
      return { platform: "discord", recipientId: userId };
    case "slack": {
      const user = userId.split(":")[1];
      if (user) return { platform: "slack", channel: user };
      break;
    }
    case "meta": {
      const [kind, id] = userId.split(":");
      if (kind === "ms" && id) return { platform: "messenger", recipientId: id };
      if (kind === "wa" && id) {
        if (whatsappPhoneNumberId === undefined) throw new ConflictError("whatsapp replies not configured", "BOTFLEET_WHATSAPP_PHONE_NUMBER_ID unset");
        return { platform: "whatsapp", phoneNumberId: whatsappPhoneNumberId, to: id };
      }
      break;
    }
  }
  throw new ConflictError("ticket owner cannot be addressed");
}

const digest = (value: string) => hash("sha256", value, "base64url").slice(0, 32);

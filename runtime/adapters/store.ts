import { hash } from "node:crypto";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { DEDUPE_WINDOW_DAYS, MAX_APPENDS_PER_DAY, utcDay, windowDays } from "../domain/deliveryMemory";
import type { DeliveryRecord, Intent, OpenedTicket, PendingFlow, Ticket, TicketMessage, TicketStatus, TokenBucket, UserKey, UserState } from "../domain/types";
import { StoreUnavailableError } from "../errors";
import { TABLE } from "./tableSchema";

/**
 * The bot's store port: every read and write the webhook handlers make. The DynamoDB
 * implementation below is single-table (keys in tableSchema.ts, access patterns in README.md here),
 * uses only conditional Put/Update (no transactions: the user's state item is the one point where a
 * user's deliveries serialise, and every other write is idempotent by its deterministic key), and
 * never scans.
 */
export interface Store {
  /** Consistent read of the user's state; undefined for a first contact. */
  loadUser(user: UserKey): Promise<UserState | undefined>;
  /**
   * The plain-text fast path, one atomic write: if the user has an open ticket, no pending guided
   * question, no unapplied intent, and the delivery is not remembered, records the delivery as
   * appended to that ticket, with the claim's `sentAt`, and returns the ticket id. Undefined when any
   * of that does not hold (or the user is new): decide with the full state instead.
   */
  claimAppend(user: UserKey, claim: AppendClaim): Promise<string | undefined>;
  /**
   * For a fast-path claim stored before claims recorded their sentAt: records `sentAt` for it
   * unless one is recorded already, and returns the recorded one (first writer wins). Undefined
   * when the claim is no longer remembered.
   */
  recordAppendSentAt(user: UserKey, record: AppendSentAt): Promise<number | undefined>;
  /**
   * Writes `after` if the stored version is still `before.version` (0 = not stored yet) and the
   * delivery was not appended on the fast path meanwhile. False when either changed: re-read and
   * decide again. Fast-path claims of other deliveries do not conflict (they change nothing a
   * decision reads) and are kept.
   */
  commitUser(user: UserKey, commit: UserCommit): Promise<boolean>;
  /** Forgets the state's intent if it is still the one `delivery` committed (its effects are applied). */
  clearIntent(user: UserKey, delivery: string): Promise<void>;
  /** Idempotent: a second call for the same ticket id changes nothing. */
  createTicket(ticket: Ticket): Promise<void>;
  /** Idempotent per (ticket, delivery). */
  appendMessage(message: TicketMessage): Promise<void>;
  getTicket(ticketId: string): Promise<Ticket | undefined>;
  /** The user's tickets, newest first (eventually consistent index). */
  ticketsOf(user: UserKey, limit: number): Promise<Ticket[]>;
  /**
   * Sets the status if `owner` still owns the ticket and no status change decided later (by `at`)
   * was applied already — so re-applying an old intent never undoes a newer close or reopen.
   */
  setTicketStatus(ticket: Pick<Ticket, "id" | "owner">, status: TicketStatus, at: number): Promise<void>;
  /** Forgets the user's open-ticket pointer if it still names `ticketId` (for agents closing a ticket). */
  clearOpenTicket(user: UserKey, ticketId: string): Promise<void>;
  /** Idempotent per delivery: records a reply that must be sent by an outbound call. */
  enqueueReply(reply: ReplyIntent, at: number): Promise<void>;
}

export interface AppendClaim {
  /** deliveryHash(deliveryKey). */
  readonly delivery: string;
  /** The raw delivery id (deliveries remembered by the previous state layout are keyed by it). */
  readonly deliveryKey: string;
  /** The inbound's sentAt, recorded with the claim: every copy completes the delivery with it. */
  readonly sentAt: number;
  readonly now: number;
}

export interface AppendSentAt {
  /** The UTC day of the claim (the `a<day>` map holding it). */
  readonly day: number;
  /** deliveryHash(deliveryKey). */
  readonly delivery: string;
  readonly sentAt: number;
}

export interface UserCommit {
  /** The state as read (its version is the condition). */
  readonly before: UserState;
  readonly after: UserState;
  /** deliveryHash of the delivery being committed. */
  readonly delivery: string;
  readonly now: number;
}

/** A reply the webhook response cannot carry (Slack events, Meta messages): sent by the outbound worker. */
export interface ReplyIntent {
  readonly deliveryKey: string;
  readonly platform: "slack" | "meta";
  /** Platform address: Slack channel id; Meta `whatsapp:<phone-number-id>:<to>` or `messenger:<page-id>:<psid>`. */
  readonly address: string;
  readonly text: string;
}

export const KEYS = {
  user: (u: UserKey) => ({ pk: `USER#${u.platform}#${u.userId}`, sk: "STATE" }),
  ticket: (id: string) => ({ pk: `TICKET#${id}`, sk: "TICKET" }),
  message: (m: TicketMessage) => ({ pk: `TICKET#${m.ticketId}`, sk: `MSG#${iso(m.sentAt)}#${shortHash(m.deliveryKey)}` }),
  reply: (deliveryKey: string) => ({ pk: `OUTBOX#${shortHash(deliveryKey)}`, sk: "REPLY" }),
  owner: (u: UserKey) => `OWNER#${u.platform}#${u.userId}`,
} as const;

/** How long a user's state item lives after their last delivery (open-ticket pointer, bucket, retries). */
export const USER_STATE_TTL_DAYS = 90;

const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = TABLE;
const { byStatus, byDay, byOwner } = TABLE.indexes;

export class DynamoStore implements Store {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly dedupeTtlHours: number,
  ) {}

  async loadUser(user: UserKey): Promise<UserState | undefined> {
    const { pk, sk } = KEYS.user(user);
    const out = await this.call("loadUser", () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { [PK]: pk, [SK]: sk }, ConsistentRead: true })),
    );
    return out?.Item === undefined ? undefined : toUserState(out.Item);
  }

  async claimAppend(user: UserKey, claim: AppendClaim): Promise<string | undefined> {
    const x = new Expression();
    const today = utcDay(claim.now);
    const todayMap = x.name(appendsAttribute(today));
    const todaySentAts = x.name(sentAtsAttribute(today));
    const hash = x.name(claim.delivery);
    const open = x.name("openTicketId");
    const flow = x.name("flow");
    const conditions = [
      `attribute_exists(${open})`,
      `attribute_exists(${todayMap})`,
      // Created with today's map by commits and claims; missing only in items stored before claims
      // recorded their sentAt: then this text is decided, and that commit creates it.
      `attribute_exists(${todaySentAts})`,
      `size(${todayMap}) < ${x.value(MAX_APPENDS_PER_DAY)}`,
      `attribute_not_exists(${x.name("intent")})`,
      `(attribute_not_exists(${flow}) OR ${flow}.${x.name("expiresAt")} <= ${x.value(claim.now)})`,
      ...notRemembered(x, claim.delivery, claim.deliveryKey, claim.now),
    ];
    const tomorrow = x.name(appendsAttribute(today + 1));
    const tomorrowSentAts = x.name(sentAtsAttribute(today + 1));
    // Days that just left the window, dropped on the way (a user who only ever appends still sheds them).
    const expired = [1, 2, 3].flatMap((back) => [appendsAttribute, sentAtsAttribute].map((attribute) => x.name(attribute(today - DEDUPE_WINDOW_DAYS - back))));
    const empty = x.value({});
    let out: { Attributes?: Record<string, unknown> } | undefined;
    const claimed = await this.conditional("claimAppend", async () => {
      out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEYS.user(user),
          UpdateExpression: [
            `SET ${todayMap}.${hash} = ${open}, ${todaySentAts}.${hash} = ${x.value(claim.sentAt)},`,
            `${tomorrow} = if_not_exists(${tomorrow}, ${empty}), ${tomorrowSentAts} = if_not_exists(${tomorrowSentAts}, ${empty}),`,
            `${x.name(TTL)} = ${x.value(stateExpiry(claim.now))} REMOVE ${expired.join(", ")}`,
          ].join(" "),
          ConditionExpression: conditions.join(" AND "),
          ...x.attributes(),
          ReturnValues: "UPDATED_NEW",
        }),
      );
    });
    if (!claimed) return undefined;
    const appends = out?.Attributes?.[appendsAttribute(today)] as Record<string, unknown> | undefined;
    const ticketId = appends?.[claim.delivery];
    if (typeof ticketId !== "string") throw new StoreUnavailableError("store claimAppend returned no ticket");
    return ticketId;
  }

  async recordAppendSentAt(user: UserKey, record: AppendSentAt): Promise<number | undefined> {
    const { day, delivery, sentAt } = record;
    const claimsAttribute = appendsAttribute(day);
    const sentAtAttribute = sentAtsAttribute(day);
    // Contended only by other completions of this one claim and by claims of other deliveries creating the day's map.
    for (let round = 0; round < 3; round++) {
      // Into the day's map when it exists, else as its first entry (one expression cannot do both: the paths overlap).
      for (const mapExists of [true, false]) {
        const x = new Expression();
        const claims = x.name(claimsAttribute);
        const map = x.name(sentAtAttribute);
        const hash = x.name(delivery);
        const claimed = `attribute_exists(${claims}.${hash})`;
        const update = mapExists
          ? { UpdateExpression: `SET ${map}.${hash} = ${x.value(sentAt)}`, ConditionExpression: `${claimed} AND attribute_exists(${map}) AND attribute_not_exists(${map}.${hash})` }
          : { UpdateExpression: `SET ${map} = ${x.value({ [delivery]: sentAt })}`, ConditionExpression: `${claimed} AND attribute_not_exists(${map})` };
        const written = await this.conditional("recordAppendSentAt", () =>
          this.client.send(new UpdateCommand({ TableName: this.tableName, Key: KEYS.user(user), ...update, ...x.attributes() })),
        );
        if (written) return sentAt;
      }
      const x = new Expression();
      const projection = [claimsAttribute, sentAtAttribute].map((attribute) => `${x.name(attribute)}.${x.name(delivery)}`).join(", ");
      const out = await this.call("recordAppendSentAt", () =>
        this.client.send(new GetCommand({ TableName: this.tableName, Key: KEYS.user(user), ConsistentRead: true, ProjectionExpression: projection, ...x.attributes() })),
      );
      const recorded = (out.Item?.[sentAtAttribute] as Record<string, unknown> | undefined)?.[delivery];
      if (recorded !== undefined) return Number(recorded);
      if ((out.Item?.[claimsAttribute] as Record<string, unknown> | undefined)?.[delivery] === undefined) return undefined;
    }
    throw new StoreUnavailableError("store recordAppendSentAt still contended");
  }

  async commitUser(user: UserKey, commit: UserCommit): Promise<boolean> {
    const { before, after, delivery, now } = commit;
    const x = new Expression();
    const set: string[] = [];
    const remove: string[] = [];
    const put = (attribute: string, value: unknown) => set.push(`${x.name(attribute)} = ${x.value(value)}`);
    put("type", "user");
    put("version", before.version + 1);
    put("salt", after.salt);
    put("bucket", after.bucket);
    put("handled", after.handled);
    put(TTL, stateExpiry(now));
    for (const attribute of ["opens", "openTicketId", "flow", "lastOpened", "intent"] as const) {
      if (after[attribute] !== undefined) put(attribute, after[attribute]);
      else if (before[attribute] !== undefined) remove.push(x.name(attribute));
    }
    if (before.legacy !== undefined && after.legacy === undefined) remove.push(x.name(LEGACY));
    // The fast path appends into today's maps (and creates tomorrow's): make sure they exist.
    for (const day of [utcDay(now), utcDay(now) + 1]) {
      for (const map of [appendsAttribute(day), sentAtsAttribute(day)].map((attribute) => x.name(attribute))) set.push(`${map} = if_not_exists(${map}, ${x.value({})})`);
    }
    const days = new Set([...Object.keys(before.appended), ...Object.keys(before.appendedSentAt ?? {})]);
    for (const day of days) {
      if (!Object.prototype.hasOwnProperty.call(after.appended, day)) remove.push(x.name(appendsAttribute(Number(day))), x.name(sentAtsAttribute(Number(day))));
    }
    const version = before.version === 0 ? `attribute_not_exists(${x.name(PK)})` : `${x.name("version")} = ${x.value(before.version)}`;
    // A fast-path claim of this delivery made before `before` was read is in `before` (the caller
    // checked it); one racing this commit goes to the claimer's today — ours give or take a day of
    // clock difference at midnight.
    const racing = [-1, 0, 1].map((offset) => utcDay(now) + offset);
    const notAppended = racing.map((day) => `attribute_not_exists(${x.name(appendsAttribute(day))}.${x.name(delivery)})`);
    return this.conditional("commitUser", () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEYS.user(user),
          UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
          ConditionExpression: [version, ...notAppended].join(" AND "),
          ...x.attributes(),
        }),
      ),
    );
  }

  async clearIntent(user: UserKey, delivery: string): Promise<void> {
    await this.conditional("clearIntent", () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEYS.user(user),
          UpdateExpression: "REMOVE #intent",
          ConditionExpression: "#intent.#delivery = :delivery",
          ExpressionAttributeNames: { "#intent": "intent", "#delivery": "delivery" },
          ExpressionAttributeValues: { ":delivery": delivery },
        }),
      ),
    );
  }

  async createTicket(ticket: Ticket): Promise<void> {
    await this.putOnce("createTicket", ticketItem(ticket));
  }

  async appendMessage(message: TicketMessage): Promise<void> {
    await this.putOnce("appendMessage", {
      ...KEYS.message(message),
      type: "message",
      ticketId: message.ticketId,
      platform: message.owner.platform,
      userId: message.owner.userId,
      author: message.author,
      text: message.text,
      sentAt: message.sentAt,
    });
  }

  async getTicket(ticketId: string): Promise<Ticket | undefined> {
    const out = await this.call("getTicket", () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: KEYS.ticket(ticketId), ConsistentRead: true })),
    );
    return out?.Item === undefined ? undefined : toTicket(out.Item);
  }

  async ticketsOf(user: UserKey, limit: number): Promise<Ticket[]> {
    const out = await this.call("ticketsOf", () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: byOwner.name,
          KeyConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#owner": byOwner.partitionKey },
          ExpressionAttributeValues: { ":owner": KEYS.owner(user) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (out?.Items ?? []).map(toTicket);
  }

  async setTicketStatus(ticket: Pick<Ticket, "id" | "owner">, status: TicketStatus, at: number): Promise<void> {
    await this.conditional("setTicketStatus", () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEYS.ticket(ticket.id),
          UpdateExpression: "SET #status = :status, updatedAt = :at, #statusAt = :at, #g1pk = :g1pk, #g1sk = :g1sk",
          ConditionExpression: "#owner = :owner AND (attribute_not_exists(#statusAt) OR #statusAt <= :at)",
          ExpressionAttributeNames: {
            "#status": "status",
            "#statusAt": "statusAt",
            "#g1pk": byStatus.partitionKey,
            "#g1sk": byStatus.sortKey,
            "#owner": byOwner.partitionKey,
          },
          ExpressionAttributeValues: {
            ":status": status,
            ":at": at,
            ":g1pk": `TICKETS#${status}`,
            ":g1sk": `${iso(at)}#${ticket.id}`,
            ":owner": KEYS.owner(ticket.owner),
          },
        }),
      ),
    );
  }

  async clearOpenTicket(user: UserKey, ticketId: string): Promise<void> {
    await this.conditional("clearOpenTicket", () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEYS.user(user),
          UpdateExpression: "REMOVE openTicketId SET version = version + :one",
          ConditionExpression: "openTicketId = :id",
          ExpressionAttributeValues: { ":id": ticketId, ":one": 1 },
        }),
      ),
    );
  }

  async enqueueReply(reply: ReplyIntent, at: number): Promise<void> {
    const key = KEYS.reply(reply.deliveryKey);
    await this.putOnce("enqueueReply", {
      ...key,
      type: "reply",
      status: "pending",
      deliveryKey: reply.deliveryKey,
      platform: reply.platform,
      address: reply.address,
      text: reply.text,
      createdAt: at,
      [byStatus.partitionKey]: "OUTBOX#pending",
      [byStatus.sortKey]: `${iso(at)}#${key.pk}`,
      [TTL]: Math.floor(at / 1000) + this.dedupeTtlHours * 3600,
    });
  }

  /** Put unless the key exists: the second writer of an idempotent effect is a success, not an error. */
  private async putOnce(operation: string, item: Record<string, unknown>): Promise<void> {
    await this.conditional(operation, () =>
      this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: "attribute_not_exists(#pk)", ExpressionAttributeNames: { "#pk": PK } }),
      ),
    );
  }

  /** True when written, false when the condition did not hold. */
  private async conditional(operation: string, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
      throw new StoreUnavailableError(`store ${operation} failed`, { cause: error });
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new StoreUnavailableError(`store ${operation} failed`, { cause: error });
    }
  }
}

function ticketItem(t: Ticket): Record<string, unknown> {
  return {
    ...KEYS.ticket(t.id),
    type: "ticket",
    id: t.id,
    platform: t.owner.platform,
    userId: t.owner.userId,
    subject: t.subject,
    status: t.status,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    [byStatus.partitionKey]: `TICKETS#${t.status}`,
    [byStatus.sortKey]: `${iso(t.updatedAt)}#${t.id}`,
    [byDay.partitionKey]: `DAY#${iso(t.createdAt).slice(0, 10)}`,
    [byDay.sortKey]: `${iso(t.createdAt)}#${t.id}`,
    [byOwner.partitionKey]: KEYS.owner(t.owner),
    [byOwner.sortKey]: `${iso(t.createdAt)}#${t.id}`,
  };
}

function toTicket(item: Record<string, unknown>): Ticket {
  return {
    id: String(item.id),
    owner: { platform: item.platform as Ticket["owner"]["platform"], userId: String(item.userId) },
    subject: String(item.subject),
    status: item.status === "closed" ? "closed" : "open",
    createdAt: Number(item.createdAt),
    updatedAt: Number(item.updatedAt),
  };
}

function toUserState(item: Record<string, unknown>): UserState {
  const bucketOf = (value: unknown): TokenBucket => {
    const b = value as { tokens: number; at: number; noticeSent?: boolean };
    return { tokens: Number(b.tokens), at: Number(b.at), noticeSent: Boolean(b.noticeSent) };
  };
  const appended: Record<number, Record<string, string>> = {};
  const appendedSentAt: Record<number, Record<string, number>> = {};
  for (const [attribute, value] of Object.entries(item)) {
    const day = APPENDS.exec(attribute)?.[1];
    if (day !== undefined) appended[Number(day)] = value as Record<string, string>;
    const sentAtDay = SENT_ATS.exec(attribute)?.[1];
    if (sentAtDay !== undefined) appendedSentAt[Number(sentAtDay)] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([hash, at]) => [hash, Number(at)]));
  }
  return {
    version: Number(item.version),
    salt: String(item.salt),
    ...(typeof item.openTicketId === "string" ? { openTicketId: item.openTicketId } : {}),
    ...(item.flow !== undefined ? { flow: item.flow as PendingFlow } : {}),
    bucket: bucketOf(item.bucket),
    ...(item.opens !== undefined ? { opens: bucketOf(item.opens) } : {}),
    ...(item.lastOpened !== undefined ? { lastOpened: item.lastOpened as OpenedTicket } : {}),
    handled: (item.handled ?? {}) as Record<string, DeliveryRecord>,
    appended,
    appendedSentAt,
    ...(item.intent !== undefined ? { intent: item.intent as Intent } : {}),
    ...(item[LEGACY] !== undefined ? { legacy: item[LEGACY] as Record<string, DeliveryRecord> } : {}),
  };
}

/** Fast-path appends of one UTC day live in their own map attribute, so a whole day is forgotten at once. */
const appendsAttribute = (day: number) => `a${day}`;
const APPENDS = /^a(\d+)$/;
/** Beside each day's appends, the same deliveries' claimed sentAt (a map of its own: the claim's SET cannot build a compound value from `openTicketId`). */
const sentAtsAttribute = (day: number) => `s${day}`;
const SENT_ATS = /^s(\d+)$/;
/** Where the previous state layout remembered deliveries (by raw delivery key, with answers). */
const LEGACY = "recent";

/** The condition that a delivery is not remembered: not handled, not appended on any day of the window, not in the previous layout. */
function notRemembered(x: Expression, delivery: string, deliveryKey: string, now: number): string[] {
  const hash = x.name(delivery);
  return [
    `attribute_not_exists(${x.name("handled")}.${hash})`,
    `attribute_not_exists(${x.name(LEGACY)}.${x.name(deliveryKey)})`,
    ...windowDays(now).map((day) => `attribute_not_exists(${x.name(appendsAttribute(day))}.${hash})`),
  ];
}

const stateExpiry = (now: number) => Math.floor(now / 1000) + USER_STATE_TTL_DAYS * 86_400;

/** Placeholders for an expression: every name and value once, so none is unused (DynamoDB rejects unused ones). */
class Expression {
  private readonly names = new Map<string, string>();
  private readonly values = new Map<string, unknown>();

  name(attribute: string): string {
    let placeholder = this.names.get(attribute);
    if (placeholder === undefined) {
      placeholder = `#n${this.names.size}`;
      this.names.set(attribute, placeholder);
    }
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.values.size}`;
    this.values.set(placeholder, value);
    return placeholder;
  }

  attributes(): { ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    const names = Object.fromEntries([...this.names].map(([attribute, placeholder]) => [placeholder, attribute]));
    return this.values.size === 0 ? { ExpressionAttributeNames: names } : { ExpressionAttributeNames: names, ExpressionAttributeValues: Object.fromEntries(this.values) };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const shortHash = (value: string) => hash("sha256", value, "hex").slice(0, 24);

import { createHash } from "node:crypto";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, type PutCommandInput, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Answer, DeliveryRecord, Ticket, TicketMessage, TicketStatus, UserKey, UserState } from "../domain/types";
import { StoreUnavailableError } from "../errors";
import { TABLE } from "./tableSchema";

/**
 * The bot's store port: every read and write the webhook handlers make. The DynamoDB
 * implementation below is single-table (keys in tableSchema.ts, access patterns in README.md here),
 * uses only conditional Put/Update (no transactions: idempotency comes from deterministic keys and
 * `attribute_not_exists`), and never scans.
 */
export interface Store {
  /** Consistent read of the user's state; undefined for a first contact. */
  loadUser(user: UserKey): Promise<UserState | undefined>;
  /**
   * Writes the state as version `state.version + 1` if the stored version is still `state.version`
   * (0 = not stored yet). False when another request committed first: re-read and decide again.
   */
  commitUser(user: UserKey, state: UserState, now: number): Promise<boolean>;
  /** Idempotent: a second call for the same ticket id changes nothing. */
  createTicket(ticket: Ticket): Promise<void>;
  /** Idempotent per (ticket, delivery). */
  appendMessage(message: TicketMessage): Promise<void>;
  getTicket(ticketId: string): Promise<Ticket | undefined>;
  /** The user's tickets, newest first (eventually consistent index). */
  ticketsOf(user: UserKey, limit: number): Promise<Ticket[]>;
  /** Sets the status if `ticket.owner` still owns it. */
  setTicketStatus(ticket: Ticket, status: TicketStatus, at: number): Promise<void>;
  /** Forgets the user's open-ticket pointer if it still names `ticketId` (for agents closing a ticket). */
  clearOpenTicket(user: UserKey, ticketId: string): Promise<void>;
  /** Idempotent per delivery: records a reply that must be sent by an outbound call. */
  enqueueReply(reply: ReplyIntent, at: number): Promise<void>;
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

  async commitUser(user: UserKey, state: UserState, now: number): Promise<boolean> {
    const { pk, sk } = KEYS.user(user);
    const item = {
      [PK]: pk,
      [SK]: sk,
      type: "user",
      version: state.version + 1,
      salt: state.salt,
      openTicketId: state.openTicketId,
      flow: state.flow,
      bucket: state.bucket,
      recent: state.recent,
      [TTL]: Math.floor(now / 1000) + USER_STATE_TTL_DAYS * 86_400,
    };
    const condition: Pick<PutCommandInput, "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"> =
      state.version === 0
        ? { ConditionExpression: "attribute_not_exists(#pk)", ExpressionAttributeNames: { "#pk": PK } }
        : { ConditionExpression: "#version = :version", ExpressionAttributeNames: { "#version": "version" }, ExpressionAttributeValues: { ":version": state.version } };
    return this.conditional("commitUser", () => this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition })));
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

  async setTicketStatus(ticket: Ticket, status: TicketStatus, at: number): Promise<void> {
    await this.conditional("setTicketStatus", () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEYS.ticket(ticket.id),
          UpdateExpression: "SET #status = :status, updatedAt = :at, #g1pk = :g1pk, #g1sk = :g1sk",
          ConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#status": "status", "#g1pk": byStatus.partitionKey, "#g1sk": byStatus.sortKey, "#owner": byOwner.partitionKey },
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
  const bucket = item.bucket as { tokens: number; at: number; noticeSent: boolean };
  return {
    version: Number(item.version),
    salt: String(item.salt),
    ...(typeof item.openTicketId === "string" ? { openTicketId: item.openTicketId } : {}),
    ...(item.flow !== undefined ? { flow: item.flow as UserState["flow"] & object } : {}),
    bucket: { tokens: Number(bucket.tokens), at: Number(bucket.at), noticeSent: Boolean(bucket.noticeSent) },
    recent: (item.recent ?? {}) as Record<string, DeliveryRecord & { answer: Answer }>,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const shortHash = (value: string) => createHash("sha256").update(value, "utf8").digest("hex").slice(0, 24);

import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { TABLE } from "../adapters/tableSchema";
import { daysBetween } from "./dateRange";
import { type ExportRecord } from "./records";

/** Items per Query page: bounds memory (one page of tickets + one page of messages at a time). */
export const PAGE_SIZE = 250;

/** Tickets whose first message page is fetched ahead, concurrently, while earlier ones stream out. */
export const MESSAGE_PREFETCH = 64;

/**
 * Streams the records of tickets created from `from` to `to` (UTC days, inclusive): for each day a
 * paginated Query of the by-day index (gsi2), and for each ticket a paginated Query of its
 * messages (pk TICKET#<id>, sk MSG#…). No Scan. Output order is fixed (each ticket, then its
 * messages), but the first message page of the next MESSAGE_PREFETCH tickets is requested ahead:
 * one Query per ticket is latency-bound, and overlapping them is what makes the export fast.
 * Pull-based: reads advance only as the consumer asks, so a slow upload slows the reads instead of
 * filling memory (at most one ticket page and MESSAGE_PREFETCH message pages are held).
 */
export async function* exportRecords(documents: DynamoDBDocumentClient, tableName: string, from: string, to: string): AsyncGenerator<ExportRecord> {
  const { byDay } = TABLE.indexes;
  const messagesOf = (ticketId: string, startKey?: Record<string, unknown>) =>
    documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :msg)",
        ExpressionAttributeNames: { "#pk": TABLE.partitionKey, "#sk": TABLE.sortKey },
        ExpressionAttributeValues: { ":pk": `TICKET#${ticketId}`, ":msg": "MSG#" },
        Limit: PAGE_SIZE,
        ExclusiveStartKey: startKey,
      }),
    );
  type Ahead = { ticket: Record<string, unknown>; firstPage: ReturnType<typeof messagesOf> };
  const window: Ahead[] = [];

  async function* emit(ahead: Ahead): AsyncGenerator<ExportRecord> {
    yield ticketRecord(ahead.ticket);
    let page = await ahead.firstPage;
    for (;;) {
      for (const message of page.Items ?? []) yield messageRecord(message);
      if (page.LastEvaluatedKey === undefined) return;
      page = await messagesOf(String(ahead.ticket.id), page.LastEvaluatedKey);
    }
  }

  try {
    for (const day of daysBetween(from, to)) {
      const tickets = pages(documents, {
        TableName: tableName,
        IndexName: byDay.name,
        KeyConditionExpression: "#pk = :day",
        ExpressionAttributeNames: { "#pk": byDay.partitionKey },
        ExpressionAttributeValues: { ":day": `DAY#${day}` },
      });
      for await (const ticket of tickets) {
        const firstPage = messagesOf(String(ticket.id));
        firstPage.catch(() => undefined); // awaited in order by emit(); this only avoids an unhandled rejection if abandoned
        window.push({ ticket, firstPage });
        if (window.length >= MESSAGE_PREFETCH) yield* emit(window.shift() as Ahead);
      }
    }
    while (window.length > 0) yield* emit(window.shift() as Ahead);
  } finally {
    window.length = 0;
  }
}

/** Every item of a Query, page by page. */
export async function* pages(documents: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<Record<string, unknown>> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new QueryCommand({ ...input, Limit: PAGE_SIZE, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) yield item;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}

const iso = (value: unknown): string => {
  const ms = Number(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : "";
};

function ticketRecord(item: Record<string, unknown>): ExportRecord {
  return {
    type: "ticket",
    ticketId: String(item.id),
    platform: String(item.platform ?? ""),
    userId: String(item.userId ?? ""),
    status: String(item.status ?? ""),
    subject: String(item.subject ?? ""),
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
  };
}

function messageRecord(item: Record<string, unknown>): ExportRecord {
  return { type: "message", ticketId: String(item.ticketId), author: String(item.author ?? ""), text: String(item.text ?? ""), sentAt: iso(item.sentAt) };
}

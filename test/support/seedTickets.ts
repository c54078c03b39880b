/**
 * Bulk seeding of tickets and messages for export specs and the export bench, with BatchWrite.
 * Item shapes follow runtime/adapters/store.ts (ticketItem, appendMessage); a spec checks that
 * tickets written through DynamoStore itself export the same way.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE } from "../../runtime/adapters/tableSchema";

export interface SeedOptions {
  readonly day: string;
  readonly tickets: number;
  readonly messagesPerTicket: number;
  /** Text of every message (default: a short sentence). */
  readonly text?: (ticket: number, message: number) => string;
  readonly subject?: (ticket: number) => string;
  /** Concurrent BatchWrite calls. @default 4 */
  readonly concurrency?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function ticketId(day: string, n: number): string {
  return `t${day.replace(/-/g, "")}${String(n).padStart(8, "0")}`;
}

/** Writes `tickets × (1 + messagesPerTicket)` items; returns that record count. */
export async function seedTickets(documents: DynamoDBDocumentClient, tableName: string, options: SeedOptions): Promise<number> {
  const { byStatus, byDay, byOwner } = TABLE.indexes;
  const start = Date.parse(`${options.day}T00:00:00Z`);
  const items: Record<string, unknown>[] = [];
  const flushes: Promise<void>[] = [];
  const concurrency = options.concurrency ?? 4;
  const inFlight = new Set<Promise<void>>();
  const write = async (batch: Record<string, unknown>[]) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  };
  const push = async (item: Record<string, unknown>) => {
    items.push(item);
    if (items.length === 25) {
      const pending = write(items.splice(0, 25)).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
      flushes.push(pending);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  };
  for (let t = 0; t < options.tickets; t += 1) {
    const id = ticketId(options.day, t);
    const createdAt = start + Math.floor((t * 86_000_000) / Math.max(1, options.tickets));
    const owner = { platform: (["telegram", "discord", "slack", "meta"] as const)[t % 4], userId: String(1000 + (t % 97)) };
    await push({
      [TABLE.partitionKey]: `TICKET#${id}`,
      [TABLE.sortKey]: "TICKET",
      type: "ticket",
      id,
      platform: owner.platform,
      userId: owner.userId,
      subject: options.subject?.(t) ?? `Order ${t} did not arrive`,
      status: t % 3 === 0 ? "closed" : "open",
      createdAt,
      updatedAt: createdAt + 1000,
      [byStatus.partitionKey]: `TICKETS#${t % 3 === 0 ? "closed" : "open"}`,
      [byStatus.sortKey]: `${iso(createdAt + 1000)}#${id}`,
      [byDay.partitionKey]: `DAY#${options.day}`,
      [byDay.sortKey]: `${iso(createdAt)}#${id}`,
      [byOwner.partitionKey]: `OWNER#${owner.platform}#${owner.userId}`,
      [byOwner.sortKey]: `${iso(createdAt)}#${id}`,
    });
    for (let m = 0; m < options.messagesPerTicket; m += 1) {
      const sentAt = createdAt + (m + 1) * 1000;
      await push({
        [TABLE.partitionKey]: `TICKET#${id}`,
        [TABLE.sortKey]: `MSG#${iso(sentAt)}#${String(m).padStart(24, "0")}`,
        type: "message",
        ticketId: id,
        platform: owner.platform,
        userId: owner.userId,
        author: m % 2 === 0 ? "user" : "agent",
        text: options.text?.(t, m) ?? `Message ${m} about ticket ${t}: where is my parcel?`,
        sentAt,
      });
    }
  }
  if (items.length > 0) flushes.push(write(items.splice(0)));
  await Promise.all(flushes);
  return options.tickets * (1 + options.messagesPerTicket);
}

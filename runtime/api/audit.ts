import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE } from "../adapters/tableSchema";

export type AuditAction = "ticket.reply" | "ticket.update" | "export.create" | "export.download";

export interface AuditEntry {
  /** The JWT `sub` of the agent or admin. */
  readonly who: string;
  readonly what: AuditAction;
  /** Ticket or export id acted on. */
  readonly target: string;
  /** Epoch ms. */
  readonly when: number;
  /** The request's reference (also in the logs and in error answers). */
  readonly reference: string;
  /** Short outcome details (status values, delivery outcome); never message text. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Audit records: pk AUDIT#<yyyy-mm-dd>, sk <iso time>#<reference>, expiring after the configured
 * days (DynamoDB TTL). One per agent/admin action, written after the action succeeded.
 */
export class AuditLog {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlDays: number,
  ) {}

  async write(entry: AuditEntry): Promise<void> {
    const iso = new Date(entry.when).toISOString();
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [TABLE.partitionKey]: `AUDIT#${iso.slice(0, 10)}`,
          [TABLE.sortKey]: `${iso}#${entry.reference}`,
          type: "audit",
          ...entry,
          [TABLE.ttlAttribute]: Math.floor(entry.when / 1000) + this.ttlDays * 86_400,
        },
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": TABLE.partitionKey },
      }),
    );
  }
}

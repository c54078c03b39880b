import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE } from "../adapters/tableSchema";
import { EXPORT_LEASE_MS } from "../timeBudgets";

export type ExportStatus = "pending" | "running" | "done" | "failed";

export interface ExportObject {
  readonly format: "ndjson" | "csv";
  readonly name: string;
  readonly generation: string;
  readonly size: number;
  readonly recordCount: number;
  readonly sha256: string;
}

export interface ExportJob {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly status: ExportStatus;
  readonly attempts: number;
  /** `sub` of the admin who asked, or "schedule". */
  readonly requestedBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Short failure code of the last failed attempt. */
  readonly error?: string;
  readonly objects?: readonly ExportObject[];
}

/** Attempts before an export stays failed for good (it then leaves the pending index). */
export const MAX_EXPORT_ATTEMPTS = 3;
/** Export records expire after a year (the objects themselves follow the bucket's lifecycle). */
const EXPORT_RECORD_TTL_SECONDS = 365 * 86_400;

const { byStatus } = TABLE.indexes;
const PENDING = "EXPORTS#pending";
const key = (id: string) => ({ [TABLE.partitionKey]: `EXPORT#${id}`, [TABLE.sortKey]: "EXPORT" });

/**
 * Export records in the table: pk EXPORT#<id>. Runnable ones (pending, or failed with attempts
 * left) sit in the by-status index under EXPORTS#pending, so the export function finds them with a
 * Query. State changes are conditional updates, so two invocations never run one export at once.
 */
export class ExportJobs {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Creates the record unless one with this id exists; returns the stored record either way. */
  async create(request: { id: string; from: string; to: string; requestedBy: string }, now: number): Promise<{ created: boolean; job: ExportJob }> {
    const job: ExportJob = { ...request, status: "pending", attempts: 0, createdAt: now, updatedAt: now };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(job.id),
            type: "export",
            ...job,
            [byStatus.partitionKey]: PENDING,
            [byStatus.sortKey]: `${new Date(now).toISOString()}#${job.id}`,
            [TABLE.ttlAttribute]: Math.floor(now / 1000) + EXPORT_RECORD_TTL_SECONDS,
          },
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": TABLE.partitionKey },
        }),
      );
      return { created: true, job };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(job.id);
      if (!existing) throw error;
      return { created: false, job: existing };
    }
  }

  async get(id: string): Promise<ExportJob | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }));
    return Item ? toJob(Item) : undefined;
  }

  /** Ids of runnable exports, oldest first (eventually consistent index). */
  async runnable(limit: number): Promise<string[]> {
    const { Items } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byStatus.name,
        KeyConditionExpression: "#pk = :pending",
        ExpressionAttributeNames: { "#pk": byStatus.partitionKey },
        ExpressionAttributeValues: { ":pending": PENDING },
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => String(item.id));
  }

  /** Takes the export for one attempt; undefined when it is done, running elsewhere or out of attempts. */
  async claim(id: string, now: number): Promise<ExportJob | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(id),
          UpdateExpression: "SET #status = :running, attempts = attempts + :one, leaseUntil = :lease, updatedAt = :now",
          ConditionExpression: "attribute_exists(#pk) AND attempts < :max AND (#status IN (:pending, :failed) OR (#status = :running AND leaseUntil < :now))",
          ExpressionAttributeNames: { "#pk": TABLE.partitionKey, "#status": "status" },
          ExpressionAttributeValues: {
            ":running": "running",
            ":pending": "pending",
            ":failed": "failed",
            ":one": 1,
            ":max": MAX_EXPORT_ATTEMPTS,
            ":lease": now + EXPORT_LEASE_MS,
            ":now": now,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return Attributes ? toJob(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * An attempt that died with its lease (function timeout) on the last allowed attempt would stay
   * "running" forever: mark it failed for good and take it out of the runnable index.
   */
  async expireAbandoned(id: string, now: number): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(id),
          UpdateExpression: "SET #status = :failed, #error = :reason, updatedAt = :now REMOVE leaseUntil, #g1pk, #g1sk",
          ConditionExpression: "#status = :running AND leaseUntil < :now AND attempts >= :max",
          ExpressionAttributeNames: { "#status": "status", "#error": "error", "#g1pk": byStatus.partitionKey, "#g1sk": byStatus.sortKey },
          ExpressionAttributeValues: { ":failed": "failed", ":running": "running", ":reason": "lease_expired", ":now": now, ":max": MAX_EXPORT_ATTEMPTS },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async complete(id: string, objects: readonly ExportObject[], now: number): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(id),
        UpdateExpression: "SET #status = :done, objects = :objects, updatedAt = :now REMOVE leaseUntil, #error, #g1pk, #g1sk",
        ConditionExpression: "#status = :running",
        ExpressionAttributeNames: { "#status": "status", "#error": "error", "#g1pk": byStatus.partitionKey, "#g1sk": byStatus.sortKey },
        ExpressionAttributeValues: { ":done": "done", ":running": "running", ":objects": objects, ":now": now },
      }),
    );
  }

  /** Marks the attempt failed; with no attempts left the export also leaves the pending index. */
  async fail(job: ExportJob, reason: string, now: number): Promise<void> {
    const final = job.attempts >= MAX_EXPORT_ATTEMPTS;
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(job.id),
        UpdateExpression: `SET #status = :failed, #error = :reason, updatedAt = :now REMOVE leaseUntil${final ? ", #g1pk, #g1sk" : ""}`,
        ConditionExpression: "#status = :running",
        ExpressionAttributeNames: { "#status": "status", "#error": "error", ...(final ? { "#g1pk": byStatus.partitionKey, "#g1sk": byStatus.sortKey } : {}) },
        ExpressionAttributeValues: { ":failed": "failed", ":running": "running", ":reason": reason, ":now": now },
      }),
    );
  }
}

function toJob(item: Record<string, unknown>): ExportJob {
  return {
    id: String(item.id),
    from: String(item.from),
    to: String(item.to),
    status: item.status as ExportStatus,
    attempts: Number(item.attempts ?? 0),
    requestedBy: String(item.requestedBy),
    createdAt: Number(item.createdAt),
    updatedAt: Number(item.updatedAt),
    ...(typeof item.error === "string" ? { error: item.error } : {}),
    ...(Array.isArray(item.objects) ? { objects: item.objects as ExportObject[] } : {}),
  };
}

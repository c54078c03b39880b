import { type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type GcsArchive } from "../adapters/gcsArchive";
import { errorFields, type Logger } from "../adapters/logger";
import { yesterdayUtc } from "./dateRange";
import { type ExportJob, type ExportJobs } from "./exportJobs";
import { exportRecords } from "./exportSource";
import { writeExport } from "./writeExport";

export interface ExportDependencies {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly jobs: ExportJobs;
  readonly archive: GcsArchive;
  readonly logger: Logger;
  readonly now: () => number;
}

/**
 * One attempt at one export: claim it, write its objects, record the outcome. A failure marks the
 * export failed (it stays runnable until its attempts are used up) and is not rethrown: the next
 * invocation retries it. Returns the record after the attempt, or undefined if it was not claimable.
 */
export async function runExport(id: string, deps: ExportDependencies): Promise<ExportJob | undefined> {
  const job = await deps.jobs.claim(id, deps.now());
  if (!job) {
    if (await deps.jobs.expireAbandoned(id, deps.now())) deps.logger.warn("export abandoned", { exportId: id, reason: "lease_expired" });
    return undefined;
  }
  const log = deps.logger.child({ exportId: job.id, attempt: job.attempts });
  try {
    const objects = await writeExport({ exportId: job.id, from: job.from, to: job.to }, () => exportRecords(deps.documents, deps.tableName, job.from, job.to), deps.archive);
    await deps.jobs.complete(job.id, objects, deps.now());
    log.info("export done", { records: objects[0]?.recordCount ?? 0 });
  } catch (error) {
    const reason = failureCode(error);
    log.warn("export attempt failed", { reason, ...errorFields(error) });
    await deps.jobs.fail(job, reason, deps.now());
  }
  return deps.jobs.get(job.id);
}

/** Runs every runnable export (pending or failed with attempts left), oldest first, one at a time. */
export async function runRunnableExports(deps: ExportDependencies, limit = 10): Promise<ExportJob[]> {
  const results: ExportJob[] = [];
  for (const id of await deps.jobs.runnable(limit)) {
    const job = await runExport(id, deps);
    if (job) results.push(job);
  }
  return results;
}

/** The scheduled daily export of yesterday (UTC): a fixed id per day, so a re-delivered schedule event creates nothing new. */
export async function ensureDailyExport(deps: ExportDependencies, day = yesterdayUtc(deps.now())): Promise<ExportJob> {
  const { job } = await deps.jobs.create({ id: `daily-${day}`, from: day, to: day, requestedBy: "schedule" }, deps.now());
  return job;
}

/** A short code for the export record: the error's class or HTTP status, never its message. */
function failureCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "number") return `gcs_http_${code}`;
  if (typeof code === "string" && /^[A-Z_]{2,40}$/.test(code)) return code.toLowerCase();
  return error instanceof Error ? error.name.slice(0, 60) : "unknown";
}

import * as z from "zod/mini";
import { runAsHandler } from "../adapters/cloudCalls";
import { createDocumentClient } from "../adapters/dynamo";
import { readArchiveSettings } from "../adapters/archiveSettings";
import { createStorage, GcsArchive } from "../adapters/gcsArchive";
import { createLogger, errorFields } from "../adapters/logger";
import { oncePerColdStart } from "../app/deps";
import { ENV } from "../env";
import { BadRequestError, ConfigError } from "../errors";
import { isValidDay } from "../exports/dateRange";
import { ExportJobs } from "../exports/exportJobs";
import { ensureDailyExport, runRunnableExports, type ExportDependencies } from "../exports/runExport";

/**
 * The export function, invoked by EventBridge Scheduler with a small JSON input:
 * - `{"kind":"daily"}` (daily schedule): queue yesterday's (UTC) export, then run what is runnable;
 *   `{"kind":"daily","day":"YYYY-MM-DD"}` re-runs one day by hand;
 * - `{"kind":"pending"}` (frequent schedule): run exports queued by POST /api/exports and retry
 *   failed attempts.
 * A failed attempt is recorded on its export (and retried by the next invocation), not thrown.
 */
export const exportEvent = z.union([
  z.strictObject({ kind: z.literal("daily"), day: z.optional(z.string().check(z.refine(isValidDay, "day must be YYYY-MM-DD"))) }),
  z.strictObject({ kind: z.literal("pending") }),
]);

export interface ExportSummary {
  readonly daily?: string;
  readonly exports: readonly { readonly id: string; readonly status: string; readonly attempts: number }[];
}

export async function handleExportEvent(deps: ExportDependencies, event: unknown): Promise<ExportSummary> {
  const parsed = exportEvent.safeParse(event);
  if (!parsed.success) {
    deps.logger.error("export event rejected", { issues: parsed.error.issues.length });
    throw new BadRequestError("export event must be {kind:\"daily\"[, day]} or {kind:\"pending\"}");
  }
  const daily = parsed.data.kind === "daily" ? await ensureDailyExport(deps, parsed.data.day) : undefined;
  const results = await runRunnableExports(deps);
  const summary = { ...(daily ? { daily: daily.id } : {}), exports: results.map((job) => ({ id: job.id, status: job.status, attempts: job.attempts })) };
  deps.logger.info("export run", { daily: summary.daily, runs: results.length, failed: results.filter((job) => job.status === "failed").length });
  return summary;
}

/** The export function reads no secret, so it parses only what it uses (not the webhooks' settings). */
const exportEnv = z.object({
  [ENV.mode]: z.enum(["deployed", "local"]),
  [ENV.tableName]: z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/)),
});

export function exportDepsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ExportDependencies {
  const parsed = exportEnv.safeParse(env);
  if (!parsed.success) throw new ConfigError(`environment: ${ENV.mode} and ${ENV.tableName} are required`);
  const settings = { mode: parsed.data[ENV.mode], tableName: parsed.data[ENV.tableName] };
  const endpoint = env[ENV.dynamodbEndpoint];
  const documents = createDocumentClient(settings.mode === "local" && endpoint ? { endpoint } : {});
  const archive = readArchiveSettings(env, settings.mode);
  return {
    documents,
    tableName: settings.tableName,
    jobs: new ExportJobs(documents, settings.tableName),
    archive: new GcsArchive(createStorage(archive), archive.bucket),
    logger: createLogger({ handler: "export" }),
    now: Date.now,
  };
}

const loadDeps = oncePerColdStart(() => exportDepsFromEnv());

export function handler(event: unknown): Promise<ExportSummary> {
  // As the HTTP entry points and the outbox do: the least-privilege proof (test/iam) sees which
  // function makes each cloud call. Nothing in the runtime reads it.
  return runAsHandler("export", async () => {
    try {
      return await handleExportEvent(await loadDeps(), event);
    } catch (error) {
      createLogger({ handler: "export" }).error("export invocation failed", errorFields(error));
      throw error;
    }
  });
}

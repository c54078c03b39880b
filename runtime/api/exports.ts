import { hash, randomBytes } from "node:crypto";
import * as z from "zod/mini";
import { firstUse } from "../firstUse";
import { type Principal } from "../auth/verifyBearer";
import { BadRequestError, StoreUnavailableError } from "../errors";
import { rangeProblem } from "../exports/dateRange";
import { type ExportJob } from "../exports/exportJobs";
import { type HttpRequest } from "../http/entry";
import { type HttpResult } from "../http/event";
import { json, SECURITY_HEADERS } from "../http/respond";
import { idempotencyKey, parseBody, parseQuery, pathId } from "./body";
import { ConflictError, NotFoundError } from "./errors";
import { type ApiDeps } from "./deps";
import { DOWNLOAD_SETTLE_MS } from "../timeBudgets";

/**
 * Largest object served through GET /api/exports/{id}/download. A Lambda behind API Gateway
 * answers with one buffered body of at most 6 MB, base64 adds a third: 4 MiB of gzip fits.
 * Larger exports are read from the bucket directly with the reader's own Google identity; signed
 * URLs are not offered (external_account credentials cannot sign without iam.serviceAccounts.signBlob,
 * and the local emulator cannot verify them).
 */
export const MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024;


class DownloadTimeoutError extends Error {
  override readonly name = "DownloadTimeoutError";
}

const createBody = firstUse(() => z.strictObject({ from: z.string().check(z.maxLength(10)), to: z.string().check(z.maxLength(10)) }));

/** POST /api/exports (admin): queues an export of tickets created in [from, to] (UTC days). */
export async function createExport(deps: ApiDeps, request: HttpRequest, principal: Principal): Promise<HttpResult> {
  const key = idempotencyKey(request);
  const { from, to } = parseBody(request, createBody());
  const now = deps.clock();
  const problem = rangeProblem(from, to, now);
  if (problem !== undefined) throw new BadRequestError(`range: ${problem}`);
  const id = key === undefined ? randomBytes(12).toString("base64url") : hash("sha256", `${principal.subject}\u0000${key}`, "base64url").slice(0, 22);
  const { created, job } = await deps.jobs.create({ id, from, to, requestedBy: principal.subject }, now);
  if (created) {
    await deps.audit.write({ who: principal.subject, what: "export.create", target: id, when: now, reference: request.reference, details: { from, to } });
  }
  return json(created ? 202 : 200, exportView(job, deps.archive.bucket), { location: `/api/exports/${id}` });
}

/** GET /api/exports/{id} (admin): status, and where the objects are once done. */
export async function getExport(deps: ApiDeps, request: HttpRequest): Promise<HttpResult> {
  const job = await deps.jobs.get(pathId(request));
  if (!job) throw new NotFoundError("export");
  return json(200, exportView(job, deps.archive.bucket));
}

const downloadQuery = firstUse(() => z.strictObject({ format: z._default(z.enum(["ndjson", "csv"]), "ndjson") }));

/** GET /api/exports/{id}/download?format=ndjson|csv (admin): the gzip object, read at its recorded generation. */
export async function downloadExport(deps: ApiDeps, request: HttpRequest, principal: Principal): Promise<HttpResult> {
  const id = pathId(request);
  const { format } = parseQuery(request, downloadQuery());
  const job = await deps.jobs.get(id);
  if (!job) throw new NotFoundError("export");
  const object = job.objects?.find((candidate) => candidate.format === format);
  if (job.status !== "done" || object === undefined) throw new ConflictError("export not ready", `status ${job.status}`);
  if (object.size > MAX_DOWNLOAD_BYTES) throw new ConflictError("export too large to download through the API; read it from the bucket");
  const archive = await deps.archive.open();
  const chunks: Buffer[] = [];
  let size = 0;
  // The read may take no more than this invocation has left (minus time to answer): a slow
  // bucket gets a 503 the client can retry, never a function killed mid-answer.
  const stream = archive.openRead(object.name, object.generation);
  const timer = setTimeout(() => stream.destroy(new DownloadTimeoutError()), Math.max(0, request.deadline.remainingMs() - DOWNLOAD_SETTLE_MS));
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > MAX_DOWNLOAD_BYTES) throw new ConflictError("export too large to download through the API; read it from the bucket");
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof DownloadTimeoutError) throw new StoreUnavailableError("export download did not finish in time", { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
    stream.destroy();
  }
  const bytes = Buffer.concat(chunks);
  if (hash("sha256", bytes, "hex") !== object.sha256) throw new ConflictError("export object changed", "sha256 mismatch");
  await deps.audit.write({ who: principal.subject, what: "export.download", target: id, when: deps.clock(), reference: request.reference, details: { format } });
  return {
    statusCode: 200,
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "application/gzip",
      "content-disposition": `attachment; filename="${id}.${format}.gz"`,
      "x-export-sha256": object.sha256,
      "x-export-record-count": String(object.recordCount),
    },
    body: bytes.toString("base64"),
    isBase64Encoded: true,
  };
}

function exportView(job: ExportJob, bucket: string) {
  return {
    id: job.id,
    from: job.from,
    to: job.to,
    status: job.status,
    attempts: job.attempts,
    requestedBy: job.requestedBy,
    createdAt: new Date(job.createdAt).toISOString(),
    updatedAt: new Date(job.updatedAt).toISOString(),
    ...(job.error !== undefined ? { error: job.error } : {}),
    objects: (job.objects ?? []).map((object) => ({
      format: object.format,
      location: `gs://${bucket}/${object.name}`,
      generation: object.generation,
      size: object.size,
      recordCount: object.recordCount,
      sha256: object.sha256,
      download: object.size <= MAX_DOWNLOAD_BYTES ? `/api/exports/${job.id}/download?format=${object.format}` : null,
    })),
  };
}

import { createHash } from "node:crypto";
import { once } from "node:events";
import { PassThrough, Transform, type TransformCallback } from "node:stream";
import { createGzip } from "node:zlib";
import { type GcsArchive } from "../adapters/gcsArchive";
import { type ExportObject } from "./exportJobs";
import { CSV_HEADER, csvRow, ndjsonLine, type ExportRecord } from "./records";

type Format = ExportObject["format"];

const FORMATS: Readonly<Record<Format, { extension: string; contentType: string; header: string; render: (record: ExportRecord) => string }>> = {
  ndjson: { extension: "ndjson.gz", contentType: "application/gzip", header: "", render: ndjsonLine },
  csv: { extension: "csv.gz", contentType: "application/gzip", header: CSV_HEADER, render: csvRow },
};

/** Lines are written in batches of about this many characters (fewer, larger chunks into gzip). */
const BATCH_CHARS = 64 * 1024;

/** exports/dt=<from>/<exportId>.<format>.gz: the same name on every attempt (idempotent). */
export function objectName(exportId: string, from: string, format: Format): string {
  return `exports/dt=${from}/${exportId}.${FORMATS[format].extension}`;
}

export interface ExportTarget {
  readonly exportId: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Writes the export's NDJSON and CSV objects from one pass over `records`, streaming: each record
 * is rendered, gzipped, hashed and uploaded while the next pages are read, with backpressure from
 * the uploads back to the reads. Objects are created with ifGenerationMatch=0, then get their
 * record count and SHA-256 (of the stored gzip bytes) as metadata.
 *
 * Re-runs: an object that a previous attempt completed (it has its sha256) is kept and not written
 * again; one left without it (that attempt died between upload and metadata) is deleted at its
 * generation and rewritten. A failed single-shot upload leaves no object behind.
 */
export async function writeExport(target: ExportTarget, records: () => AsyncIterable<ExportRecord>, archive: GcsArchive): Promise<ExportObject[]> {
  const done: ExportObject[] = [];
  const todo: Format[] = [];
  for (const format of ["ndjson", "csv"] as const) {
    const name = objectName(target.exportId, target.from, format);
    const existing = await archive.describe(name);
    if (existing?.metadata.sha256 !== undefined && existing.metadata.exportId === target.exportId) {
      done.push({ format, name, generation: existing.generation, size: existing.size, recordCount: Number(existing.metadata.recordCount), sha256: existing.metadata.sha256 });
      continue;
    }
    if (existing) await archive.deleteGeneration(name, existing.generation);
    todo.push(format);
  }
  if (todo.length === 0) return done;

  const sinks = todo.map((format) => openSink(format, target, archive));
  // The first upload failure stops the reads at the next batch: no point reading what cannot be stored.
  let uploadFailure: { error: unknown } | undefined;
  const uploadsFailed = Promise.all(sinks.map((sink) => sink.uploaded)).then(
    () => new Promise<never>(() => undefined),
    (error: unknown) => {
      uploadFailure ??= { error };
      return Promise.reject(error as Error);
    },
  );
  uploadsFailed.catch(() => undefined);
  let recordCount = 0;
  try {
    for await (const record of records()) {
      recordCount += 1;
      for (const sink of sinks) {
        sink.pending += sink.render(record);
        if (sink.pending.length >= BATCH_CHARS) {
          await flush(sink, uploadsFailed);
          if (uploadFailure) throw uploadFailure.error;
        }
      }
    }
    for (const sink of sinks) {
      await flush(sink, uploadsFailed);
      sink.input.end();
    }
  } catch (error) {
    for (const sink of sinks) sink.input.destroy(error as Error);
    await Promise.allSettled(sinks.map((sink) => sink.uploaded));
    throw error;
  }
  const stored = await Promise.all(sinks.map((sink) => sink.uploaded));
  for (const [index, sink] of sinks.entries()) {
    const object = stored[index];
    if (!object) continue;
    const sha256 = sink.hash.digest("hex");
    const final = await archive.addMetadata(object.name, { recordCount: String(recordCount), sha256 }, object.metageneration);
    done.push({ format: sink.format, name: object.name, generation: final.generation, size: final.size, recordCount, sha256 });
  }
  return done.sort((a, b) => a.format.localeCompare(b.format));
}

interface Sink {
  readonly format: Format;
  readonly render: (record: ExportRecord) => string;
  readonly input: PassThrough;
  readonly hash: ReturnType<typeof createHash>;
  readonly uploaded: ReturnType<GcsArchive["createFrom"]>;
  pending: string;
}

function openSink(format: Format, target: ExportTarget, archive: GcsArchive): Sink {
  const spec = FORMATS[format];
  const input = new PassThrough();
  const hash = createHash("sha256");
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const gzip = createGzip();
  input.on("error", (error) => gzip.destroy(error));
  gzip.on("error", (error) => hashing.destroy(error));
  input.pipe(gzip).pipe(hashing);
  const uploaded = archive.createFrom(objectName(target.exportId, target.from, format), hashing, spec.contentType, {
    exportId: target.exportId,
    from: target.from,
    to: target.to,
    format,
  });
  uploaded.catch(() => undefined);
  return { format, render: spec.render, input, hash, uploaded, pending: spec.header };
}

/** Writes the batch; waits for drain (backpressure) unless an upload fails first. */
async function flush(sink: Sink, uploadsFailed: Promise<never>): Promise<void> {
  if (sink.pending.length === 0) return;
  const chunk = sink.pending;
  sink.pending = "";
  if (!sink.input.write(chunk)) await Promise.race([once(sink.input, "drain"), uploadsFailed]);
}

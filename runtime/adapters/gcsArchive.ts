import { type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Storage } from "@google-cloud/storage";
import { type ArchiveSettings } from "./archiveSettings";

/**
 * The GCS archive bucket the export function writes to.
 *
 * Deployed: keyless. BOTFLEET_GCP_CREDENTIALS holds the external_account (Workload Identity
 * Federation) configuration — no secret in it; google-auth-library exchanges the Lambda role's AWS
 * credentials for a short-lived Google token. Local: BOTFLEET_GCS_ENDPOINT points at the local GCS
 * JSON-API server (tools/local/gcsServer.ts) and no credentials are used.
 *
 * Uploads are single-shot (`resumable: false`): an upload that fails midway leaves no object at
 * all, and the local server cannot do resumable uploads anyway. Signed URLs are not offered: they
 * need iam.serviceAccounts.signBlob with external_account credentials (and do not work on the
 * emulator), so downloads are streamed through the API instead.
 */
export function createStorage(settings: ArchiveSettings): Storage {
  if (settings.endpoint !== undefined) {
    return new Storage({ apiEndpoint: settings.endpoint, projectId: "botfleet-local", retryOptions: { autoRetry: false } });
  }
  // google-auth-library (inside @google-cloud/storage 7) turns an external_account object into an
  // ExternalAccountClient (AwsClient for an AWS credential source).
  return new Storage({ credentials: settings.credentials as Record<string, string>, retryOptions: { autoRetry: true, maxRetries: 3 } });
}

export interface StoredObject {
  readonly name: string;
  readonly generation: string;
  readonly metageneration: string;
  readonly size: number;
  readonly contentType: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Precondition failed: the object exists (create-only upload) or changed since it was read. */
export class PreconditionFailedError extends Error {
  override readonly name = "PreconditionFailedError";
}

/** The few bucket operations exports need; every write carries a generation precondition. */
export class GcsArchive {
  constructor(
    private readonly storage: Storage,
    readonly bucket: string,
  ) {}

  /** Streams `source` into a new object; fails with PreconditionFailedError if `name` exists. */
  async createFrom(name: string, source: Readable, contentType: string, metadata: Readonly<Record<string, string>>): Promise<StoredObject> {
    const file = this.storage.bucket(this.bucket).file(name);
    const sink = file.createWriteStream({
      resumable: false,
      preconditionOpts: { ifGenerationMatch: 0 },
      metadata: { contentType, metadata },
    });
    try {
      await pipeline(source, sink);
    } catch (error) {
      throw preconditionOr(error);
    }
    return toStored(file.metadata);
  }

  async describe(name: string): Promise<StoredObject | undefined> {
    try {
      const [metadata] = await this.storage.bucket(this.bucket).file(name).getMetadata();
      return toStored(metadata);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Adds custom metadata if the object is still at `metageneration` (nobody changed it since). */
  async addMetadata(name: string, metadata: Readonly<Record<string, string>>, metageneration: string): Promise<StoredObject> {
    try {
      const [updated] = await this.storage
        .bucket(this.bucket)
        .file(name)
        .setMetadata({ metadata }, { ifMetagenerationMatch: Number(metageneration) });
      return toStored(updated);
    } catch (error) {
      throw preconditionOr(error);
    }
  }

  /** Deletes the object only at `generation` (never a newer one written meanwhile). */
  async deleteGeneration(name: string, generation: string): Promise<void> {
    try {
      await this.storage.bucket(this.bucket).file(name).delete({ ifGenerationMatch: Number(generation) });
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw preconditionOr(error);
    }
  }

  /** A read stream of exactly `generation` (so a download never mixes two versions). */
  openRead(name: string, generation: string): Readable {
    return this.storage.bucket(this.bucket).file(name, { generation: Number(generation) }).createReadStream({ validation: false });
  }
}

function toStored(metadata: Record<string, unknown>): StoredObject {
  const custom = (metadata.metadata ?? {}) as Record<string, unknown>;
  return {
    name: String(metadata.name),
    generation: String(metadata.generation),
    metageneration: String(metadata.metageneration),
    size: Number(metadata.size ?? 0),
    contentType: typeof metadata.contentType === "string" ? metadata.contentType : undefined,
    metadata: Object.fromEntries(Object.entries(custom).filter(([, v]) => typeof v === "string")) as Record<string, string>,
  };
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}

function preconditionOr(error: unknown): unknown {
  return statusOf(error) === 412 ? new PreconditionFailedError("generation precondition failed", { cause: error }) : error;
}

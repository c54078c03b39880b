import { type Readable } from "node:stream";
import { type ArchiveSettings } from "../adapters/archiveSettings";

/** What the API reads from the archive: one object generation at a time (downloads). */
export interface ArchiveReader {
  openRead(name: string, generation: string): Readable;
}

/** The archive as the API sees it: its bucket name at once, the client only when a download needs it. */
export interface ArchiveAccess {
  readonly bucket: string;
  open(): Promise<ArchiveReader>;
}

/**
 * Loads @google-cloud/storage (and google-auth-library behind it) on the first download only, once
 * per cold start. The bundler splits the dynamic import into its own chunk, so the other API routes
 * never read or evaluate it (it is most of the API bundle). A failed load is not cached.
 */
export function lazyArchive(settings: ArchiveSettings): ArchiveAccess {
  let pending: Promise<ArchiveReader> | undefined;
  return {
    bucket: settings.bucket,
    open() {
      pending ??= import("../adapters/gcsArchive.js")
        .then(({ createStorage, GcsArchive }) => new GcsArchive(createStorage(settings), settings.bucket))
        .catch((error: unknown) => {
          pending = undefined;
          throw error;
        });
      return pending;
    },
  };
}

import { nonEmpty, oneOf, plainObject, readFields } from "../configChecks";
import { ENV } from "../env";
import { ConfigError } from "../errors";

/**
 * Where the GCS archive is and how to reach it, read from the environment. Kept apart from the
 * client (gcsArchive.ts) so a function can validate its settings at cold start without loading
 * @google-cloud/storage: the API loads the client only on the download route.
 */
export interface ArchiveSettings {
  readonly bucket: string;
  readonly endpoint?: string;
  readonly credentials?: Readonly<Record<string, unknown>>;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
/** The fields of an external_account configuration we require (the rest is kept as it is: the client reads it). */
const EXTERNAL_ACCOUNT_FIELDS = {
  type: oneOf(["external_account"], 'must be "external_account"'),
  audience: nonEmpty(),
  subject_token_type: nonEmpty(),
  token_url: nonEmpty(),
  credential_source: plainObject(),
};

export function readArchiveSettings(env: Readonly<Record<string, string | undefined>>, mode: "local" | "deployed"): ArchiveSettings {
  const bucket = env[ENV.archiveBucket];
  if (bucket === undefined || !BUCKET_NAME.test(bucket)) throw new ConfigError(`${ENV.archiveBucket}: must be a GCS bucket name`);
  if (mode === "local") {
    const endpoint = env[ENV.gcsEndpoint];
    if (endpoint === undefined || !/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(endpoint)) {
      throw new ConfigError(`${ENV.gcsEndpoint}: local mode needs http://127.0.0.1:<port> of the local GCS server`);
    }
    return { bucket, endpoint };
  }
  let json: unknown;
  try {
    json = JSON.parse(env[ENV.gcpCredentials] ?? "");
  } catch {
    throw new ConfigError(`${ENV.gcpCredentials}: must be the external_account JSON configuration`);
  }
  if (!readFields(json, EXTERNAL_ACCOUNT_FIELDS).ok) throw new ConfigError(`${ENV.gcpCredentials}: must be an external_account configuration (Workload Identity Federation)`);
  return { bucket, credentials: { ...(json as Record<string, unknown>) } };
}


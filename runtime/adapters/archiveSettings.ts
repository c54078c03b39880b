import * as z from "zod/mini";
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

const bucketName = z.string().check(z.regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, "must be a GCS bucket name"));
const externalAccount = z.looseObject({
  type: z.literal("external_account"),
  audience: z.string().check(z.minLength(1)),
  subject_token_type: z.string().check(z.minLength(1)),
  token_url: z.string().check(z.minLength(1)),
  credential_source: z.looseObject({}),
});

export function readArchiveSettings(env: Readonly<Record<string, string | undefined>>, mode: "local" | "deployed"): ArchiveSettings {
  const bucket = bucketName.safeParse(env[ENV.archiveBucket]);
  if (!bucket.success) throw new ConfigError(`${ENV.archiveBucket}: must be a GCS bucket name`);
  if (mode === "local") {
    const endpoint = env[ENV.gcsEndpoint];
    if (endpoint === undefined || !/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(endpoint)) {
      throw new ConfigError(`${ENV.gcsEndpoint}: local mode needs http://127.0.0.1:<port> of the local GCS server`);
    }
    return { bucket: bucket.data, endpoint };
  }
  let json: unknown;
  try {
    json = JSON.parse(env[ENV.gcpCredentials] ?? "");
  } catch {
    throw new ConfigError(`${ENV.gcpCredentials}: must be the external_account JSON configuration`);
  }
  const credentials = externalAccount.safeParse(json);
  if (!credentials.success) throw new ConfigError(`${ENV.gcpCredentials}: must be an external_account configuration (Workload Identity Federation)`);
  return { bucket: bucket.data, credentials: credentials.data };
}


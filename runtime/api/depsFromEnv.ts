import { readArchiveSettings } from "../adapters/archiveSettings";
import { createLogger, type Logger } from "../adapters/logger";
import { DynamoStore } from "../adapters/store";
import { readAuthConfig } from "../auth/config";
import { matching, optional, wholeNumber } from "../configChecks";
import { createBearerVerifier } from "../auth/verifyBearer";
import { ENV } from "../env";
import { secretSourceFor } from "../http/entryDeps";
import { ConfigError } from "../errors";
import { ExportJobs } from "../exports/exportJobs";
import { parseSettings } from "../settings";
import { deadLettersFor, outboundDependencies, readOutboundSettings } from "../outbound/wiring";
import { lazyArchive } from "./archiveAccess";
import { AuditLog } from "./audit";
import { documentClientFor } from "../app/deps";
import { type ApiDeps } from "./deps";

type Env = Readonly<Record<string, string | undefined>>;

const auditTtlDays = wholeNumber(1, 3650, 365);
const phoneNumberId = optional(matching(/^\d{1,25}$/, "must be numeric"));

/** The API's wiring from the environment, once per cold start (the JWKS cache lives as long as it). */
export async function apiDepsFromEnv(env: Env = process.env, logger: Logger = createLogger()): Promise<ApiDeps> {
  // parseSettings reads the entry settings too: parsed once, not again for the entry's own deps.
  const settings = parseSettings(env);
  const entry = { settings, logger, secrets: secretSourceFor(settings, env) };
  const ttl = auditTtlDays(env[ENV.auditTtlDays]);
  if (!ttl.ok) throw new ConfigError(`${ENV.auditTtlDays}: must be 1-3650 days`);
  const phone = phoneNumberId(env[ENV.whatsappPhoneNumberId] || undefined);
  if (!phone.ok) throw new ConfigError(`${ENV.whatsappPhoneNumberId}: must be numeric`);
  const documents = documentClientFor(settings, env);
  const tableName = settings.tableName;
  const outboundSettings = readOutboundSettings(env, settings.mode);
  const archiveSettings = readArchiveSettings(env, settings.mode);
  return {
    ...entry,
    documents,
    tableName,
    store: new DynamoStore(documents, tableName, settings.dedupeTtlHours),
    verifyBearer: await createBearerVerifier(readAuthConfig(env, settings.mode)),
    audit: new AuditLog(documents, tableName, ttl.value),
    outbound: outboundDependencies({
      settings: outboundSettings,
      documents,
      tableName,
      secrets: entry.secrets,
      deadLetters: await deadLettersFor(outboundSettings, documents, tableName),
    }),
    jobs: new ExportJobs(documents, tableName),
    archive: lazyArchive(archiveSettings),
    ...(phone.value !== undefined ? { whatsappPhoneNumberId: phone.value } : {}),
    clock: Date.now,
  };
}

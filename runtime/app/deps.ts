import { createDocumentClient } from "../adapters/dynamo";
import { createLogger, type Logger } from "../adapters/logger";
import { type OutboundReplies, storeOutbox } from "../adapters/outbound";
import { cachedSecretSource, envSecretSource, type SecretSource, secretsManagerFetcher } from "../adapters/secrets";
import { DynamoStore, type Store } from "../adapters/store";
import { ENV } from "../env";
import type { EntryDeps } from "../http/entry";
import { type EntrySettings, parseEntrySettings, parseSettings, type RuntimeSettings } from "../settings";
import type { DeliveryDeps } from "./delivery";

/** What a bot webhook handler runs on; tests and the local stack inject their own. */
export interface BotDeps extends EntryDeps {
  readonly settings: RuntimeSettings;
  readonly store: Store;
  readonly clock: () => number;
  /** @default queue intents in the store (storeOutbox) */
  readonly outbound?: OutboundReplies;
}

type Env = Readonly<Record<string, string | undefined>>;

export function entryDepsFromEnv(env: Env = process.env, logger: Logger = createLogger()): EntryDeps {
  const settings: EntrySettings = parseEntrySettings(env);
  return { settings, logger, secrets: secretSource(settings, env) };
}

/** Deployed (or local-stack) wiring from the environment. Builds clients; connects nothing yet. */
export function botDepsFromEnv(env: Env = process.env, logger: Logger = createLogger()): BotDeps {
  const settings = parseSettings(env);
  const endpoint = env[ENV.dynamodbEndpoint];
  const client = createDocumentClient(settings.mode === "local" && endpoint !== undefined && endpoint !== "" ? { endpoint } : {});
  return { settings, logger, secrets: secretSource(settings, env), store: new DynamoStore(client, settings.tableName, settings.dedupeTtlHours), clock: Date.now };
}

function secretSource(settings: EntrySettings, env: Env): SecretSource {
  return settings.mode === "deployed" ? cachedSecretSource(settings.secretArns, secretsManagerFetcher()) : envSecretSource(env);
}

export function deliveryDeps(deps: BotDeps): DeliveryDeps {
  return { store: deps.store, clock: deps.clock, settings: deps.settings, outbound: deps.outbound ?? storeOutbox(deps.store, deps.clock) };
}

/**
 * Builds dependencies once per cold start, on the first request (never at import). A failure is
 * not cached: the next request tries again, and meanwhile each request answers 500 with a reference.
 */
export function oncePerColdStart<T>(build: () => T | Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= Promise.resolve()
      .then(build)
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}

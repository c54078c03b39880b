import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../adapters/dynamo";
import { createLogger, type Logger } from "../adapters/logger";
import { type OutboundReplies, storeOutbox } from "../adapters/outbound";
import { DynamoStore, type Store } from "../adapters/store";
import { ENV } from "../env";
import type { EntryDeps } from "../http/entry";
import { secretSourceFor } from "../http/entryDeps";
import { type EntrySettings, parseSettings, type RuntimeSettings } from "../settings";
import type { ConversationSettings } from "../domain/types";
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

// The entry points' wiring lives in http/entryDeps.ts (which /health imports without the store's client).
export { entryDepsFromEnv, oncePerColdStart } from "../http/entryDeps";

/** Deployed (or local-stack) wiring from the environment. Builds clients; connects nothing yet. */
export function botDepsFromEnv(env: Env = process.env, logger: Logger = createLogger()): BotDeps {
  return botWiringFromEnv(env, logger).deps;
}

/**
 * The bot's dependencies and the document client its store uses, for other ports on the same table
 * (the Discord and Slack webhooks' deferred interactions): one client per function, since building
 * one is most of what a cold start spends outside the bundle's own import (~4 ms each, measured).
 */
export function botWiringFromEnv(env: Env = process.env, logger: Logger = createLogger()): { deps: BotDeps; documents: DynamoDBDocumentClient } {
  const settings = parseSettings(env);
  const documents = documentClientFor(settings, env);
  return { deps: { settings, logger, secrets: secretSourceFor(settings, env), store: new DynamoStore(documents, settings.tableName, settings.dedupeTtlHours), clock: Date.now }, documents };
}

/** The table's document client: the region's endpoint, or the embedded server's in local mode. */
export function documentClientFor(settings: EntrySettings, env: Env): DynamoDBDocumentClient {
  const endpoint = env[ENV.dynamodbEndpoint];
  return createDocumentClient(settings.mode === "local" && endpoint !== undefined && endpoint !== "" ? { endpoint } : {});
}

const deliveryDepsOf = new WeakMap<BotDeps, DeliveryDeps>();

/** What `deliver` runs on, made once per BotDeps (they live as long as the cold start) rather than per delivery. */
export function deliveryDeps(deps: BotDeps): DeliveryDeps {
  let made = deliveryDepsOf.get(deps);
  if (made === undefined) {
    made = deliveryDepsOn(deps.store, deps.clock, deps.settings, deps.outbound);
    deliveryDepsOf.set(deps, made);
  }
  return made;
}

/** What `deliver` runs on over one store: replies are queued in that store's outbox unless `outbound` is given. */
export function deliveryDepsOn(store: Store, clock: () => number, settings: ConversationSettings, outbound: OutboundReplies = storeOutbox(store, clock)): DeliveryDeps {
  return { store, clock, settings, outbound };
}

import type { BotDeps } from "../../../runtime/app/deps";
import { createLogger } from "../../../runtime/adapters/logger";
import { envSecretSource } from "../../../runtime/adapters/secrets";
import { DynamoStore } from "../../../runtime/adapters/store";
import { LOCAL_SECRET_ENV } from "../../../runtime/env";
import { parseSettings, type RuntimeSettings } from "../../../runtime/settings";
import type { LocalDynamo } from "./dynalite";
import { type DiscordKeys, SECRETS } from "./events";

export interface TestBot {
  readonly deps: BotDeps;
  readonly logLines: string[];
  /** The clock the handlers read; tests move it. */
  now: number;
}

let tables = 0;

/**
 * Handler dependencies against dynalite: a fresh table per call, local-mode secrets (as the local
 * stack sets them), a movable clock and captured log lines.
 */
export async function testBot(
  db: LocalDynamo,
  options: { discord?: DiscordKeys; origin?: boolean; settings?: Partial<RuntimeSettings>; now?: number } = {},
): Promise<TestBot & { tableName: string }> {
  const tableName = `botfleet-test-${++tables}`;
  await db.createTable(tableName);
  const env: Record<string, string> = {
    [LOCAL_SECRET_ENV.telegramWebhookSecret]: SECRETS.telegram,
    [LOCAL_SECRET_ENV.slackSigningSecret]: SECRETS.slack,
    [LOCAL_SECRET_ENV.metaAppSecret]: SECRETS.metaApp,
    [LOCAL_SECRET_ENV.metaVerifyToken]: SECRETS.metaVerify,
  };
  if (options.discord !== undefined) env[LOCAL_SECRET_ENV.discordPublicKey] = options.discord.publicKeyHex;
  if (options.origin === true) env[LOCAL_SECRET_ENV.originVerifySecret] = SECRETS.origin;
  const settings: RuntimeSettings = { ...parseSettings({ BOTFLEET_MODE: "local", BOTFLEET_TABLE: tableName }), ...options.settings };
  const logLines: string[] = [];
  // `now` lives on the returned object itself, so a test moving `bot.now` moves the handlers' clock.
  const clock = { now: options.now ?? Date.UTC(2026, 10, 22, 6, 0, 0) };
  const deps: BotDeps = {
    settings,
    secrets: envSecretSource(env),
    logger: createLogger({}, (line) => logLines.push(line)),
    store: new DynamoStore(db.client, tableName, settings.dedupeTtlHours),
    clock: () => clock.now,
  };
  return Object.assign(clock, { tableName, logLines, deps });
}

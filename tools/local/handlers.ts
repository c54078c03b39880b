/**
 * Every deployed entry point, built the way its Lambda builds itself (runtime/app/deps.ts from the
 * environment), but from an explicit environment object and logger so a process can run a local
 * stack without touching process.env. One line per handler of runtime/routes.ts HANDLERS.
 */
import { botDepsFromEnv, entryDepsFromEnv } from "../../runtime/app/deps";
import type { Logger } from "../../runtime/adapters/logger";
import type { HttpEvent, HttpResult } from "../../runtime/http/event";
import { createDiscordHandler } from "../../runtime/handlers/discord";
import { createHealthHandler } from "../../runtime/handlers/health";
import { createMetaHandler } from "../../runtime/handlers/meta";
import { createSlackHandler } from "../../runtime/handlers/slack";
import { createTelegramHandler } from "../../runtime/handlers/telegram";
import type { HandlerName } from "../../runtime/routes";

export type LambdaHttpHandler = (event: HttpEvent) => Promise<HttpResult>;

type Env = Readonly<Record<string, string | undefined>>;

export interface LocalHandlers {
  readonly http: Readonly<Partial<Record<HandlerName, LambdaHttpHandler>>>;
}

export function buildHandlers(env: Env, logger: Logger): LocalHandlers {
  return {
    http: {
      telegram: createTelegramHandler(botDepsFromEnv(env, logger)),
      discord: createDiscordHandler(botDepsFromEnv(env, logger)),
      slack: createSlackHandler(botDepsFromEnv(env, logger)),
      meta: createMetaHandler(botDepsFromEnv(env, logger)),
      health: createHealthHandler(entryDepsFromEnv(env, logger)),
    },
  };
}

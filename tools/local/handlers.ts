/**
 * Every deployed entry point, built the way its Lambda builds itself (runtime/…/deps from the
 * environment), but from an explicit environment object and logger so a process can run a local
 * stack without touching process.env. One line per handler of runtime/routes.ts HANDLERS.
 */
import { runAsHandler } from "../../runtime/adapters/cloudCalls";
import type { Logger } from "../../runtime/adapters/logger";
import { apiDepsFromEnv } from "../../runtime/api/depsFromEnv";
import { botDepsFromEnv, entryDepsFromEnv } from "../../runtime/app/deps";
import type { HttpEvent, HttpResult } from "../../runtime/http/event";
import { createApiHandler } from "../../runtime/handlers/api";
import { createDiscordHandler } from "../../runtime/handlers/discord";
import { exportDepsFromEnv, type ExportSummary, handleExportEvent } from "../../runtime/handlers/export";
import { createHealthHandler } from "../../runtime/handlers/health";
import { createMetaHandler } from "../../runtime/handlers/meta";
import { createOutboxHandler, outboxDepsFromEnv, type OutboxSummary } from "../../runtime/handlers/outbox";
import { createSlackHandler } from "../../runtime/handlers/slack";
import { deferralFromEnv } from "../../runtime/platforms/deferral";
import { createTelegramHandler } from "../../runtime/handlers/telegram";
import type { HandlerName } from "../../runtime/routes";

export type LambdaHttpHandler = (event: HttpEvent) => Promise<HttpResult>;

type Env = Readonly<Record<string, string | undefined>>;

export interface LocalHandlers {
  /** The HTTP entry points, by handler name (every route's handler). */
  readonly http: Readonly<Record<Exclude<HandlerName, "export" | "outbox">, LambdaHttpHandler>>;
  /** The export function as EventBridge Scheduler invokes it (`{"kind":"pending"}` or `{"kind":"daily"}`). */
  readonly exportRun: (event: unknown) => Promise<ExportSummary>;
  /** The outbox function as its schedule invokes it (`{"kind":"outbox"}`): sends the replies Slack and Meta webhooks queued. */
  readonly outboxRun: (event: unknown) => Promise<OutboxSummary>;
}

export async function buildHandlers(env: Env, logger: Logger): Promise<LocalHandlers> {
  const exportDeps = { ...exportDepsFromEnv(env), logger: quietWhenIdle(logger.child({ handler: "export" })) };
  const outboxDeps = { ...(await outboxDepsFromEnv(env, logger)), logger: quietWhenIdle(logger.child({ handler: "outbox" })) };
  const outboxRun = createOutboxHandler(() => Promise.resolve(outboxDeps), logger);
  // Deployed, a deferring webhook invokes the outbox function asynchronously; here it starts it in
  // process without waiting, and a failed run is retried by the next one.
  const bot = botDepsFromEnv(env, logger);
  const wakeOutbox = () => {
    void outboxRun({ kind: "outbox" }).catch(() => undefined);
    return Promise.resolve();
  };
  const deferral = { ...deferralFromEnv(env, bot.settings), wakeOutbox };
  return {
    http: {
      telegram: createTelegramHandler(botDepsFromEnv(env, logger)),
      discord: createDiscordHandler(botDepsFromEnv(env, logger), deferral),
      slack: createSlackHandler(botDepsFromEnv(env, logger), deferral),
      meta: createMetaHandler(botDepsFromEnv(env, logger)),
      health: createHealthHandler(entryDepsFromEnv(env, logger)),
      api: createApiHandler(await apiDepsFromEnv(env, logger)),
    },
    // The scheduled function has no HTTP layer to name it: name it here for the call recorder.
    exportRun: (event) => runAsHandler("export", () => handleExportEvent(exportDeps, event)),
    outboxRun,
  };
}

/** The local schedule polls often: a run that found nothing to export is not worth a log line. */
function quietWhenIdle(logger: Logger): Logger {
  // Delegates each method: the logger is a class instance, whose methods a spread would not copy.
  return {
    warn: (message, fields) => logger.warn(message, fields),
    error: (message, fields) => logger.error(message, fields),
    child: (fields) => logger.child(fields),
    info: (message, fields) => {
      if (message === "export run" && fields?.runs === 0 && fields.daily === undefined) return;
      if ((message === "outbox run" || message === "outbox invocation") && fields?.delivered === 0 && fields.failed === 0 && fields.duplicates === 0) return;
      logger.info(message, fields);
    },
  };
}

import { LambdaClient } from "@aws-sdk/client-lambda";
import { DeferredInteractions } from "../../../runtime/adapters/deferred";
import { createLogger } from "../../../runtime/adapters/logger";
import { lambdaOutboxTrigger } from "../../../runtime/adapters/outboxTrigger";
import { ENV, LOCAL_SECRET_ENV } from "../../../runtime/env";
import { createOutboxHandler, outboxDepsFromEnv, type OutboxSummary } from "../../../runtime/handlers/outbox";
import type { DeferralPorts } from "../../../runtime/platforms/deferral";
import type { PlatformStandIn } from "../../../tools/local/platformStandIn";
import type { LambdaStandIn } from "../../support/lambdaStandIn";
import type { LocalDynamo } from "./dynalite";
import { SECRETS } from "./events";

export const OUTBOX_FUNCTION = "botfleet-test-outbox";

/** The deferral ports as deployed: deferred items in the bot's table, an asynchronous Invoke of the outbox (to the Lambda stand-in). */
export function deferralPorts(db: LocalDynamo, tableName: string, lambda: LambdaStandIn): DeferralPorts {
  const client = new LambdaClient({ endpoint: lambda.endpoint, region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
  return { deferrals: new DeferredInteractions(db.client, tableName), wakeOutbox: lambdaOutboxTrigger(OUTBOX_FUNCTION, () => Promise.resolve(client)) };
}

/** The outbox function as its schedule (or a webhook's wake-up) invokes it, wired from its local-mode environment. */
export async function runOutbox(db: LocalDynamo, tableName: string, platform: PlatformStandIn, extraEnv: Record<string, string> = {}): Promise<OutboxSummary> {
  const deps = await outboxDepsFromEnv(
    {
      [ENV.mode]: "local",
      [ENV.tableName]: tableName,
      [ENV.dynamodbEndpoint]: db.endpoint,
      [ENV.discordApiUrl]: platform.baseUrls.discord,
      [ENV.slackApiUrl]: platform.baseUrls.slack,
      [LOCAL_SECRET_ENV.slackSigningSecret]: SECRETS.slack,
      [LOCAL_SECRET_ENV.discordPublicKey]: "ab".repeat(32),
      [ENV.botRateLimitCapacity]: "100",
      [ENV.botRateLimitRefillPerMinute]: "60",
      ...extraEnv,
    },
    createLogger({}, () => undefined),
  );
  return createOutboxHandler(() => Promise.resolve(deps))({ kind: "outbox" });
}

import { botDepsFromEnv, type BotDeps, deliveryDeps, oncePerColdStart } from "../app/deps";
import { deliver } from "../app/delivery";
import { httpEntry, type HttpRequest } from "../http/entry";
import type { HttpResult } from "../http/event";
import { empty, json } from "../http/respond";
import {
  isSlackSslCheck,
  parseSlackRequest,
  SLACK_RETRY_HEADER,
  SLACK_TIMESTAMP_HEADER,
  slackCommandResponse,
  slackEphemeral,
  UNKNOWN_SLASH_COMMAND_TEXT,
  verifySlack,
} from "../platforms/slack";

/**
 * POST /webhooks/slack: ssl_check (200, before the signature: Slack does not sign it) → v0
 * signature → url_verification, a `/ticket` slash command (answered in the response, privately),
 * an Events API direct message (acknowledged; the reply is queued for the outbound port), or any
 * other envelope or event (acknowledged with 200: Slack counts every non-200 against the app).
 */
export async function handleSlack(deps: BotDeps, request: HttpRequest): Promise<HttpResult> {
  if (isSlackSslCheck(request.rawBody, request.headers["content-type"])) {
    request.logger.info("ssl check answered", {});
    return empty();
  }
  const { signingSecret } = await deps.secrets.get("slack");
  verifySlack(request.headers, request.rawBody, signingSecret, deps.clock());
  const requestTime = Number(request.headers[SLACK_TIMESTAMP_HEADER]) * 1000;
  const parsed = parseSlackRequest(request.rawBody, request.headers["content-type"], requestTime);
  switch (parsed.kind) {
    case "urlVerification":
      return json(200, { challenge: parsed.challenge });
    case "ignored":
      if (parsed.reason === "app_rate_limited") request.logger.warn("slack is rate limiting our event subscriptions", {});
      else request.logger.info("event ignored", { reason: parsed.reason });
      return empty();
    case "unknownCommand":
      request.logger.info("unknown slash command answered", {});
      return json(200, slackEphemeral(UNKNOWN_SLASH_COMMAND_TEXT));
    case "slashCommand": {
      const { answer, duplicate } = await deliver(deliveryDeps(deps), parsed.inbound);
      request.logger.info("command handled", { deliveryKey: parsed.inbound.deliveryKey, duplicate, answer: answer.kind });
      return slackCommandResponse(answer);
    }
    case "message": {
      const { answer, duplicate } = await deliver(deliveryDeps(deps), parsed.inbound, { platform: "slack", address: parsed.channel });
      request.logger.info("event handled", {
        deliveryKey: parsed.inbound.deliveryKey,
        retry: request.headers[SLACK_RETRY_HEADER],
        duplicate,
        answer: answer.kind,
      });
      return empty();
    }
  }
}

export const createSlackHandler = (deps: BotDeps) => httpEntry("slack", () => Promise.resolve(deps), handleSlack, deps.logger);

export const handler = httpEntry("slack", oncePerColdStart(() => botDepsFromEnv()), handleSlack);

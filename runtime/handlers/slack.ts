import { type BotDeps, deliveryDeps, oncePerColdStart } from "../app/deps";
import { deliver } from "../app/delivery";
import { FOLLOW_UP_VALID_MS } from "../adapters/deferred";
import { httpEntry, type HttpRequest } from "../http/entry";
import { botDepsWithDeferral, type DeferralPorts, handOff, within, withDeferral } from "../platforms/deferral";
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
import { HANDOFF_RESERVE_MS, INTERACTION_ANSWER_BY_MS } from "../timeBudgets";

/**
 * POST /webhooks/slack: ssl_check (200, before the signature: Slack does not sign it) → v0
 * signature → url_verification, a `/ticket` slash command (answered in the response, privately,
 * when ready within INTERACTION_ANSWER_BY_MS of receipt; otherwise acknowledged and answered
 * through its response_url by the outbox function),
 * an Events API direct message (acknowledged; the reply is queued for the outbound port), or any
 * other envelope or event (acknowledged with 200: Slack counts every non-200 against the app).
 */
export async function handleSlack(deps: SlackDeps, request: HttpRequest): Promise<HttpResult> {
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
      const work = () => deliver(deliveryDeps(deps), parsed.inbound);
      const responseUrl = parsed.responseUrl !== undefined && acceptableResponseUrl(parsed.responseUrl, deps.settings.mode) ? parsed.responseUrl : undefined;
      if (deps.deferral === undefined || responseUrl === undefined) {
        const { answer, duplicate } = await work();
        request.logger.info("command handled", { deliveryKey: parsed.inbound.deliveryKey, duplicate, answer: answer.kind });
        return slackCommandResponse(answer);
      }
      const raced = await within(work, Math.min(request.receivedAt + INTERACTION_ANSWER_BY_MS, request.deadline.at - HANDOFF_RESERVE_MS));
      if (raced.kind === "done") {
        request.logger.info("command handled", { deliveryKey: parsed.inbound.deliveryKey, duplicate: raced.value.duplicate, answer: raced.value.answer.kind });
        return slackCommandResponse(raced.value.answer);
      }
      await handOff(
        deps.deferral,
        { inbound: parsed.inbound, followUp: { kind: "slack", responseUrl }, deferredAt: Date.now(), usableUntil: request.receivedAt + FOLLOW_UP_VALID_MS.slack },
        request.logger,
      );
      request.logger.info("command deferred", { deliveryKey: parsed.inbound.deliveryKey, failed: raced.failure !== undefined });
      // An empty 200 acknowledges the command; the answer follows through its response_url.
      return empty();
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

/**
 * Slack's response_url points at hooks.slack.com (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses);
 * the local stack's stand-in listens on loopback. Anything else is not used (the command is then answered in the response, however long it takes).
 */
function acceptableResponseUrl(url: string, mode: "local" | "deployed"): boolean {
  return /^https:\/\/hooks\.slack\.com\/[\w/.-]+$/.test(url) || (mode === "local" && /^http:\/\/127\.0\.0\.1:\d{1,5}\/[\w/.-]+$/.test(url));
}

export interface SlackDeps extends BotDeps {
  /** Deferral of slash commands whose answer is not ready in time; unset: always wait for the answer. */
  readonly deferral?: DeferralPorts;
}

export const createSlackHandler = (deps: BotDeps, deferral?: DeferralPorts) => {
  // One dependencies object for every request (deliveryDeps is made once per it).
  const withPorts = withDeferral(deps, deferral);
  return httpEntry("slack", () => Promise.resolve(withPorts), handleSlack, deps.logger);
};

export const handler = httpEntry("slack", oncePerColdStart(() => botDepsWithDeferral()), handleSlack);

import { createHmac } from "node:crypto";
import * as z from "zod/mini";
import type { Answer, Inbound } from "../domain/types";
import { BadRequestError, UnauthorizedError } from "../errors";
import type { HttpResult } from "../http/event";
import { firstUse } from "../firstUse";
import { empty, json } from "../http/respond";
import { parseJsonBody, parseValue } from "./parse";
import { slackText } from "./outgoingText";
import { safeEqualBytes } from "./safeEqual";

export const SLACK_SIGNATURE_HEADER = "x-slack-signature";
export const SLACK_TIMESTAMP_HEADER = "x-slack-request-timestamp";
export const SLACK_RETRY_HEADER = "x-slack-retry-num";
export const MAX_SKEW_SECONDS = 300;

/** Signature v0: HMAC-SHA256 over `v0:<timestamp>:<raw body>`; stale timestamps and other versions rejected. */
export function verifySlack(headers: Readonly<Record<string, string>>, rawBody: Buffer, signingSecret: string, nowMs: number): void {
  const timestamp = headers[SLACK_TIMESTAMP_HEADER];
  const signature = headers[SLACK_SIGNATURE_HEADER];
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) throw new UnauthorizedError("slack timestamp missing or malformed");
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) throw new UnauthorizedError("slack timestamp stale");
  const match = signature === undefined ? null : /^v0=([0-9a-f]{64})$/.exec(signature);
  if (match === null) throw new UnauthorizedError("slack signature missing, malformed or not v0");
  const expected = createHmac("sha256", signingSecret).update(`v0:${timestamp}:`, "utf8").update(rawBody).digest();
  if (!safeEqualBytes(Buffer.from(match[1] as string, "hex"), expected)) throw new UnauthorizedError("slack signature invalid");
}

/** The payload schemas, built on first use (parse.ts). */
const schemas = firstUse(() => {
  const slackId = z.string().check(z.regex(/^[A-Z0-9]{2,32}$/));

  const messageEvent = z.object({
    type: z.string(),
    user: z.optional(z.string()),
    text: z.optional(z.string()),
    channel: z.optional(z.string()),
    channel_type: z.optional(z.string()),
    subtype: z.optional(z.string()),
    bot_id: z.optional(z.string()),
  });

  /** Every Events API body names its envelope type first (https://docs.slack.dev/apis/events-api/). */
  const envelopeType = z.looseObject({ type: z.string() });
  const urlVerification = z.object({ type: z.literal("url_verification"), challenge: z.string().check(z.maxLength(256)) });
  const eventCallback = z.object({
    type: z.literal("event_callback"),
    event_id: z.string().check(z.regex(/^[\w-]{1,64}$/)),
    event_time: z.number().check(z.int(), z.gte(0)),
    team_id: slackId,
    event: messageEvent,
  });

  /** https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling */
  const slashCommand = z.object({
    command: z.string(),
    text: z.string().check(z.maxLength(4000)),
    user_id: slackId,
    team_id: slackId,
    trigger_id: z.string().check(z.regex(/^[\w.-]{1,128}$/)),
    channel_id: z.optional(z.string()),
    response_url: z.optional(z.string().check(z.maxLength(512))),
  });
  return { slackId, messageEvent, envelopeType, urlVerification, eventCallback, slashCommand };
});

export type SlackRequest =
  | { readonly kind: "urlVerification"; readonly challenge: string }
  | { readonly kind: "message"; readonly inbound: Inbound; readonly channel: string }
  /** Acknowledged with an empty 200, nothing recorded: other events, edits, bots, channels, app_rate_limited, interactivity. */
  | { readonly kind: "ignored"; readonly reason: string }
  | { readonly kind: "slashCommand"; readonly inbound: Inbound; readonly responseUrl?: string }
  /** A slash command routed here that is not ours: answered privately, nothing recorded. */
  | { readonly kind: "unknownCommand" };

/**
 * Slack checks a slash command URL's certificate with a form post of `ssl_check=1` and a token;
 * it is not signed, and only a 200 is expected
 * (https://docs.slack.dev/interactivity/implementing-slash-commands#responding_basic_receipt).
 * Recognised before the signature check, and nothing else in such a request is read.
 */
export function isSlackSslCheck(rawBody: Buffer, contentType: string | undefined): boolean {
  if (mediaType(contentType) !== "application/x-www-form-urlencoded" || rawBody.length > 4096) return false;
  return new URLSearchParams(rawBody.toString("utf8")).get("ssl_check") === "1";
}

/** Events API bodies are JSON; slash commands and interactivity requests are form-encoded. */
export function parseSlackRequest(rawBody: Buffer, contentType: string | undefined, requestTimestampMs: number): SlackRequest {
  const type = mediaType(contentType);
  if (type === "application/json") return parseEvent(rawBody);
  if (type === "application/x-www-form-urlencoded") return parseForm(rawBody, requestTimestampMs);
  throw new BadRequestError(`unsupported content type`);
}

function mediaType(contentType: string | undefined): string | undefined {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase();
}

/**
 * The Events API envelopes: url_verification (answer the challenge), event_callback (the events),
 * app_rate_limited (Slack telling us it drops events for a minute: acknowledge, it has no inner
 * event). Any other type is acknowledged too: a 4xx would count against the app's delivery
 * success rate (https://docs.slack.dev/reference/events/app_rate_limited).
 */
function parseEvent(rawBody: Buffer): SlackRequest {
  const body = parseJsonBody(rawBody, schemas().envelopeType);
  if (body.type === "url_verification") return { kind: "urlVerification", challenge: parseValue(body, schemas().urlVerification).challenge };
  if (body.type === "app_rate_limited") return { kind: "ignored", reason: "app_rate_limited" };
  if (body.type !== "event_callback") return { kind: "ignored", reason: "other envelope" };
  const callback = parseValue(body, schemas().eventCallback);
  const event = callback.event;
  if (event.type !== "message") return { kind: "ignored", reason: "not a message" };
  if (event.subtype !== undefined || event.bot_id !== undefined) return { kind: "ignored", reason: "bot or edited message" };
  if (event.channel_type !== "im") return { kind: "ignored", reason: "not a direct message" };
  if (event.user === undefined || event.text === undefined || event.channel === undefined) return { kind: "ignored", reason: "no user or text" };
  const user = parseValue(event.user, schemas().slackId);
  return {
    kind: "message",
    channel: event.channel,
    inbound: {
      user: { platform: "slack", userId: `${callback.team_id}:${user}` },
      deliveryKey: `slack:event:${callback.event_id}`,
      text: slackUnescape(event.text),
      sentAt: callback.event_time * 1000,
    },
  };
}

/** `/ticket` is the one slash command: `/ticket`, `/ticket <subject>`, `/ticket list|help|status <id>|close <id>`. */
function parseForm(rawBody: Buffer, requestTimestampMs: number): SlackRequest {
  const form = Object.fromEntries(new URLSearchParams(rawBody.toString("utf8")));
  // Interactivity (buttons, shortcuts, modals) posts a `payload` field; the bot sends none of those.
  if (form.command === undefined && form.payload !== undefined) return { kind: "ignored", reason: "interactivity payload" };
  const command = parseValue(form, schemas().slashCommand);
  if (command.command !== "/ticket") return { kind: "unknownCommand" };
  return {
    kind: "slashCommand",
    ...(command.response_url !== undefined ? { responseUrl: command.response_url } : {}),
    inbound: {
      user: { platform: "slack", userId: `${command.team_id}:${command.user_id}` },
      deliveryKey: `slack:command:${command.trigger_id}`,
      text: slashText(slackUnescape(command.text)),
      sentAt: requestTimestampMs,
    },
  };
}

/**
 * Slack escapes `&`, `<` and `>` in the text it sends (https://docs.slack.dev/messaging/formatting-message-text#escaping):
 * the text is stored as the user typed it, and escaped again only on the way out (outgoingText.ts).
 */
export function slackUnescape(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

export function slashText(text: string): string {
  const trimmed = text.trim();
  const [first = "", ...rest] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  if (trimmed === "") return "/ticket";
  if (word === "help") return "/help";
  if (word === "list" || word === "tickets") return "/tickets";
  if ((word === "status" || word === "close") && rest.length > 0) return `/${word} ${rest.join(" ")}`;
  return `/ticket ${trimmed}`;
}

/** Slash commands answer in the response, always privately (ephemeral); Events API deliveries only need a quick 200. */
export function slackCommandResponse(answer: Answer): HttpResult {
  if (answer.kind === "silent") return empty();
  return json(200, slackEphemeral(answer.text));
}

/** An ephemeral message (only the user who ran the command sees it), for the response or its response_url. */
export function slackEphemeral(text: string): { response_type: "ephemeral"; text: string } {
  return { response_type: "ephemeral", text: slackText(text) };
}

export const UNKNOWN_SLASH_COMMAND_TEXT = "This app answers /ticket only. Try /ticket help.";

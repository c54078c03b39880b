import { createHmac } from "node:crypto";
import * as z from "zod/mini";
import type { Answer, Inbound } from "../domain/types";
import { BadRequestError, UnauthorizedError } from "../errors";
import type { HttpResult } from "../http/event";
import { empty, json } from "../http/respond";
import { parseJsonBody, parseValue } from "./parse";
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

const slackId = z.string().check(z.regex(/^[A-Z0-9]{2,32}$/));

const messageEvent = z.looseObject({
  type: z.string(),
  user: z.optional(z.string()),
  text: z.optional(z.string()),
  channel: z.optional(z.string()),
  channel_type: z.optional(z.string()),
  subtype: z.optional(z.string()),
  bot_id: z.optional(z.string()),
});

const envelope = z.union([
  z.looseObject({ type: z.literal("url_verification"), challenge: z.string().check(z.maxLength(256)) }),
  z.looseObject({
    type: z.literal("event_callback"),
    event_id: z.string().check(z.regex(/^[\w-]{1,64}$/)),
    event_time: z.number().check(z.int(), z.gte(0)),
    team_id: slackId,
    event: messageEvent,
  }),
]);

const slashCommand = z.looseObject({
  command: z.string(),
  text: z.string().check(z.maxLength(4000)),
  user_id: slackId,
  team_id: slackId,
  trigger_id: z.string().check(z.regex(/^[\w.-]{1,128}$/)),
  channel_id: z.optional(z.string()),
});

export type SlackRequest =
  | { readonly kind: "urlVerification"; readonly challenge: string }
  | { readonly kind: "message"; readonly inbound: Inbound; readonly channel: string }
  /** Events the bot does not act on (its own messages, edits, channels): acknowledged, nothing recorded. */
  | { readonly kind: "ignored"; readonly reason: string }
  | { readonly kind: "slashCommand"; readonly inbound: Inbound };

/** Events API bodies are JSON; slash commands are form-encoded. */
export function parseSlackRequest(rawBody: Buffer, contentType: string | undefined, requestTimestampMs: number): SlackRequest {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === "application/json") return parseEvent(rawBody);
  if (type === "application/x-www-form-urlencoded") return parseSlashCommand(rawBody, requestTimestampMs);
  throw new BadRequestError(`unsupported content type`);
}

function parseEvent(rawBody: Buffer): SlackRequest {
  const body = parseJsonBody(rawBody, envelope);
  if (body.type === "url_verification") return { kind: "urlVerification", challenge: body.challenge };
  const event = body.event;
  if (event.type !== "message") return { kind: "ignored", reason: "not a message" };
  if (event.subtype !== undefined || event.bot_id !== undefined) return { kind: "ignored", reason: "bot or edited message" };
  if (event.channel_type !== "im") return { kind: "ignored", reason: "not a direct message" };
  if (event.user === undefined || event.text === undefined || event.channel === undefined) return { kind: "ignored", reason: "no user or text" };
  const user = parseValue(event.user, slackId);
  return {
    kind: "message",
    channel: event.channel,
    inbound: {
      user: { platform: "slack", userId: `${body.team_id}:${user}` },
      deliveryKey: `slack:event:${body.event_id}`,
      text: event.text,
      sentAt: body.event_time * 1000,
    },
  };
}

/** `/ticket` is the one slash command: `/ticket`, `/ticket <subject>`, `/ticket list|help|status <id>|close <id>`. */
function parseSlashCommand(rawBody: Buffer, requestTimestampMs: number): SlackRequest {
  const form = Object.fromEntries(new URLSearchParams(rawBody.toString("utf8")));
  const command = parseValue(form, slashCommand);
  if (command.command !== "/ticket") throw new BadRequestError("unknown slash command");
  return {
    kind: "slashCommand",
    inbound: {
      user: { platform: "slack", userId: `${command.team_id}:${command.user_id}` },
      deliveryKey: `slack:command:${command.trigger_id}`,
      text: slashText(command.text),
      sentAt: requestTimestampMs,
    },
  };
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

/** Slash commands answer in the response, privately; Events API deliveries only need a quick 200. */
export function slackCommandResponse(answer: Answer): HttpResult {
  if (answer.kind === "silent") return empty();
  return json(200, { response_type: "ephemeral", text: answer.text });
}

/**
 * A correctly signed webhook request as each platform sends it, for one text from one user: a
 * Telegram update, a Discord slash-command interaction, a Slack slash command (for /ticket, /tickets,
 * /status, /close, /help) or Events API direct message (anything else), a WhatsApp text message.
 */
import { randomBytes, randomInt, type KeyObject } from "node:crypto";
import { LOCAL_SECRET_ENV } from "../../runtime/env";
import type { LocalSettings } from "../local/localSettings";
import { discordSignature, type Headers, metaSignature, slackSignature, telegramSignature } from "./sign";

export const PLATFORMS = ["telegram", "discord", "slack", "meta"] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface SigningKeys {
  readonly telegramWebhookSecret: string;
  readonly slackSigningSecret: string;
  readonly metaAppSecret: string;
  /** Only known when the local stack generated the Discord key pair. */
  readonly discordPrivateKey?: KeyObject;
}

export interface SignedRequest {
  readonly method: "POST";
  readonly path: string;
  readonly headers: Headers;
  readonly body: Buffer;
}

export interface MessageOptions {
  /** The sender's platform user id. @default a fixed id per platform, so one person's tickets add up */
  readonly user?: string;
  /** Makes the delivery id: the same value twice is a redelivery. @default random */
  readonly deliveryId?: string;
  /** @default Date.now() */
  readonly now?: number;
}

/** Thrown for input the platform could not send (e.g. plain text to Discord, which only has slash commands). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The WhatsApp Business number local Meta messages are sent to (and agents answer from). */
export const LOCAL_WHATSAPP_NUMBER = "106540352242922";

export const DEFAULT_USERS: Readonly<Record<Platform, string>> = {
  telegram: "100200300",
  discord: "900000000000000001",
  slack: "U0LOCAL1",
  meta: "15550001111",
};

export function signingKeys(settings: LocalSettings): SigningKeys {
  const env = settings.env;
  const need = (name: string) => {
    const value = env[name];
    if (value === undefined) throw new UsageError(`${name} is not set`);
    return value;
  };
  return {
    telegramWebhookSecret: need(LOCAL_SECRET_ENV.telegramWebhookSecret),
    slackSigningSecret: need(LOCAL_SECRET_ENV.slackSigningSecret),
    metaAppSecret: need(LOCAL_SECRET_ENV.metaAppSecret),
    ...(settings.discordPrivateKey === undefined ? {} : { discordPrivateKey: settings.discordPrivateKey }),
  };
}

export function platformRequest(platform: Platform, text: string, keys: SigningKeys, options: MessageOptions = {}): SignedRequest {
  const now = options.now ?? Date.now();
  const user = options.user ?? DEFAULT_USERS[platform];
  const id = options.deliveryId ?? `${now}${randomInt(1_000_000)}`;
  switch (platform) {
    case "telegram":
      return telegram(text, user, id, now, keys);
    case "discord":
      return discord(text, user, id, now, keys);
    case "slack":
      return slack(text, user, id, now, keys);
    case "meta":
      return meta(text, user, id, now, keys);
  }
}

function telegram(text: string, user: string, id: string, now: number, keys: SigningKeys): SignedRequest {
  if (!/^\d{1,15}$/.test(user)) throw new UsageError("telegram user ids are numbers");
  const updateId = Number(BigInt(digits(id)) % 9_000_000_000_000n);
  const body = json({
    update_id: updateId,
    message: { message_id: updateId % 1_000_000_000, date: Math.floor(now / 1000), chat: { id: Number(user), type: "private" }, from: { id: Number(user), is_bot: false, first_name: "Local" }, text },
  });
  return post("/webhooks/telegram", body, { "content-type": "application/json", ...telegramSignature(keys.telegramWebhookSecret) });
}

/** Discord snowflake for `now` whose low bits come from the delivery id. */
function snowflake(now: number, id: string): string {
  return String((BigInt(now - 1420070400000) << 22n) | (BigInt(digits(id)) & 0x3fffffn));
}

const DISCORD_OPTION: Readonly<Record<string, string>> = { ticket: "subject", status: "id", close: "id" };

function discord(text: string, user: string, id: string, now: number, keys: SigningKeys): SignedRequest {
  if (keys.discordPrivateKey === undefined) throw new UsageError("DISCORD_PUBLIC_KEY was given in the environment, so its private key is unknown here: cannot sign Discord requests");
  if (!/^\d{5,25}$/.test(user)) throw new UsageError("discord user ids are snowflakes (digits)");
  const command = /^\/([a-z]+)(?:\s+(.*))?$/s.exec(text.trim());
  if (command === null) throw new UsageError('discord interactions are slash commands: the text must start with "/", e.g. "/ticket Printer on fire"');
  const name = command[1] as string;
  const argument = command[2]?.trim();
  const optionName = DISCORD_OPTION[name];
  const options = optionName !== undefined && argument !== undefined && argument !== "" ? [{ name: optionName, type: 3, value: argument }] : undefined;
  const body = json({
    id: snowflake(now, id),
    application_id: "1200000000000000000",
    type: 2,
    token: "local-interaction-token",
    version: 1,
    channel_id: "1100000000000000000",
    member: { user: { id: user, username: "local" }, roles: [] },
    data: { id: "1250000000000000000", name, type: 1, ...(options === undefined ? {} : { options }) },
  });
  return post("/webhooks/discord", body, { "content-type": "application/json", ...discordSignature(body, keys.discordPrivateKey, Math.floor(now / 1000)) });
}

/** Slack's one slash command is /ticket; its sub-commands (runtime/platforms/slack.ts slashText). */
function slashCommandText(text: string): string | undefined {
  const match = /^\/(ticket|tickets|status|close|help)\b\s*(.*)$/s.exec(text.trim());
  if (match === null) return undefined;
  const rest = (match[2] ?? "").trim();
  switch (match[1]) {
    case "ticket":
      return rest;
    case "tickets":
      return "list";
    case "help":
      return "help";
    default:
      return `${match[1]} ${rest}`.trim();
  }
}

function slack(text: string, user: string, id: string, now: number, keys: SigningKeys): SignedRequest {
  if (!/^[A-Z0-9]{1,30}$/.test(user)) throw new UsageError("slack user ids are upper-case letters and digits, e.g. U0LOCAL1");
  const seconds = Math.floor(now / 1000);
  const slash = slashCommandText(text);
  if (slash !== undefined) {
    const body = Buffer.from(
      new URLSearchParams({ team_id: "T0LOCAL", team_domain: "local", channel_id: "D0LOCAL", user_id: user, user_name: "local", command: "/ticket", text: slash, trigger_id: `${digits(id)}.local` }).toString(),
      "utf8",
    );
    return post("/webhooks/slack", body, { "content-type": "application/x-www-form-urlencoded", ...slackSignature(body, keys.slackSigningSecret, seconds) });
  }
  const body = json({
    team_id: "T0LOCAL",
    api_app_id: "A0LOCAL",
    type: "event_callback",
    event_id: `Ev${digits(id)}`,
    event_time: seconds,
    event: { type: "message", channel: `D${user}`.slice(0, 30), user, text, ts: `${seconds}.000100`, channel_type: "im" },
  });
  return post("/webhooks/slack", body, { "content-type": "application/json", ...slackSignature(body, keys.slackSigningSecret, seconds) });
}

function meta(text: string, user: string, id: string, now: number, keys: SigningKeys): SignedRequest {
  if (!/^\d{1,20}$/.test(user)) throw new UsageError("meta (WhatsApp) user ids are phone numbers (digits)");
  const body = json({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: LOCAL_WHATSAPP_NUMBER },
              messages: [{ from: user, id: `wamid.${digits(id)}`, timestamp: String(Math.floor(now / 1000)), type: "text", text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
  return post("/webhooks/meta", body, { "content-type": "application/json", ...metaSignature(body, keys.metaAppSecret) });
}

function post(path: string, body: Buffer, headers: Headers): SignedRequest {
  return { method: "POST", path, headers, body };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}

/** Delivery ids become numeric parts of platform ids: keep the digits, or derive some. */
function digits(id: string): string {
  const only = id.replace(/\D/g, "");
  return only === "" ? BigInt(`0x${Buffer.from(id).toString("hex").slice(0, 12) || randomBytes(4).toString("hex")}`).toString() : only.slice(0, 18);
}

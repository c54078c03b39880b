import { createPublicKey, type KeyObject, verify } from "node:crypto";
import * as z from "zod/mini";
import { clip } from "../domain/commands";
import type { Answer, Inbound } from "../domain/types";
import { BadRequestError, ConfigError, UnauthorizedError } from "../errors";
import type { HttpResult } from "../http/event";
import { json } from "../http/respond";
import { parseJsonBody, userIdSchema } from "./parse";

export const DISCORD_SIGNATURE_HEADER = "x-signature-ed25519";
export const DISCORD_TIMESTAMP_HEADER = "x-signature-timestamp";
/** Requests signed longer ago (or further ahead) than this are replays. */
export const MAX_SKEW_SECONDS = 300;
const MAX_CONTENT = 2000;
const DISCORD_EPOCH_MS = 1420070400000n;

const keyCache = new Map<string, KeyObject>();

/**
 * The application's public key as a KeyObject, imported once per key. JWK import is ~10x faster
 * than SPKI DER here (measured). A malformed configured key is a ConfigError, never a quiet "invalid".
 */
export function discordPublicKey(hex: string): KeyObject {
  let key = keyCache.get(hex);
  if (key === undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new ConfigError("discord public key is not 64 hex digits");
    try {
      key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(hex, "hex").toString("base64url") }, format: "jwk" });
    } catch (error) {
      throw new ConfigError("discord public key does not import as Ed25519", { cause: error });
    }
    keyCache.set(hex, key);
  }
  return key;
}

/** Ed25519 over timestamp + raw body; staleness is checked before the signature. */
export function verifyDiscord(headers: Readonly<Record<string, string>>, rawBody: Buffer, publicKeyHex: string, nowMs: number): void {
  const key = discordPublicKey(publicKeyHex);
  const timestamp = headers[DISCORD_TIMESTAMP_HEADER];
  const signature = headers[DISCORD_SIGNATURE_HEADER];
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) throw new UnauthorizedError("discord timestamp missing or malformed");
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) throw new UnauthorizedError("discord timestamp stale");
  if (signature === undefined || !/^[0-9a-fA-F]{128}$/.test(signature)) throw new UnauthorizedError("discord signature missing or malformed");
  const signed = Buffer.concat([Buffer.from(timestamp, "utf8"), rawBody]);
  if (!verify(null, signed, key, Buffer.from(signature, "hex"))) throw new UnauthorizedError("discord signature invalid");
}

const option = z.looseObject({ name: z.string(), type: z.number(), value: z.optional(z.union([z.string(), z.number(), z.boolean()])) });
const discordUser = z.looseObject({ id: userIdSchema });

export const interactionSchema = z.looseObject({
  id: z.string().check(z.regex(/^\d{1,20}$/)),
  type: z.number().check(z.int()),
  application_id: z.optional(z.string()),
  data: z.optional(z.looseObject({ name: z.string().check(z.regex(/^[\w-]{1,32}$/)), options: z.optional(z.array(option).check(z.maxLength(25))) })),
  member: z.optional(z.looseObject({ user: discordUser })),
  user: z.optional(discordUser),
});

export type DiscordInteraction = { readonly kind: "ping" } | { readonly kind: "command"; readonly inbound: Inbound };

const PING = 1;
const APPLICATION_COMMAND = 2;

export function parseDiscordInteraction(rawBody: Buffer): DiscordInteraction {
  const interaction = parseJsonBody(rawBody, interactionSchema);
  if (interaction.type === PING) return { kind: "ping" };
  if (interaction.type !== APPLICATION_COMMAND || interaction.data === undefined) throw new BadRequestError(`unsupported interaction type ${interaction.type}`);
  const userId = interaction.member?.user.id ?? interaction.user?.id;
  if (userId === undefined) throw new BadRequestError("interaction without a user");
  const args = (interaction.data.options ?? []).map((o) => String(o.value ?? "")).join(" ");
  return {
    kind: "command",
    inbound: {
      user: { platform: "discord", userId },
      deliveryKey: `discord:interaction:${interaction.id}`,
      text: `/${interaction.data.name}${args === "" ? "" : ` ${args}`}`,
      sentAt: snowflakeTime(interaction.id),
    },
  };
}

/** Discord ids are snowflakes: the top 42 bits are milliseconds since 2015-01-01. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}

export const PONG: HttpResult = json(200, { type: 1 });

/** Type 4 answers in the channel; flag 64 makes private answers visible to the user only. */
export function discordResponse(answer: Answer): HttpResult {
  // An interaction must be answered: where the bot would stay silent (rate limited), it answers privately.
  const content = answer.kind === "text" ? clip(answer.text, MAX_CONTENT) : "…";
  const isPrivate = answer.kind === "silent" || answer.private;
  return json(200, { type: 4, data: isPrivate ? { content, flags: 64 } : { content } });
}

/** The slash commands `npm run discord:register` registers (tools/discord). */
export const DISCORD_COMMANDS = [
  { name: "help", description: "What this bot can do", type: 1 },
  { name: "start", description: "Say hello", type: 1 },
  {
    name: "ticket",
    description: "Open a support ticket",
    type: 1,
    options: [{ name: "subject", description: "What it is about", type: 3, required: true, max_length: 200 }],
  },
  { name: "tickets", description: "Your tickets, newest first", type: 1 },
  { name: "status", description: "A ticket's status", type: 1, options: [{ name: "id", description: "Ticket id", type: 3, required: true }] },
  { name: "close", description: "Close a ticket", type: 1, options: [{ name: "id", description: "Ticket id", type: 3, required: true }] },
] as const;

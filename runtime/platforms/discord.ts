import { createPublicKey, type KeyObject, verify } from "node:crypto";
import * as z from "zod/mini";
import type { Answer, Inbound } from "../domain/types";
import { BadRequestError, ConfigError, UnauthorizedError } from "../errors";
import { firstUse } from "../firstUse";
import type { HttpResult } from "../http/event";
import { json } from "../http/respond";
import { discordMessage } from "./outgoingText";
import { isRecord, isStringMatching, parseJson, parseValueFast, USER_ID, userIdSchema } from "./parse";

export const DISCORD_SIGNATURE_HEADER = "x-signature-ed25519";
export const DISCORD_TIMESTAMP_HEADER = "x-signature-timestamp";
/** Requests signed longer ago (or further ahead) than this are replays. */
export const MAX_SKEW_SECONDS = 300;
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

/**
 * Ed25519 over timestamp + raw body; staleness is checked before the signature. Resolves once the
 * signature holds, rejects with a 401 when anything does not (a misconfigured key: 500). The curve
 * arithmetic (~0.2 ms of CPU per request here, measured) runs on libuv's thread pool (crypto.verify
 * with a callback), so the caller may read while it runs: handlers/discord.ts says what must wait.
 */
export function verifyDiscord(headers: Readonly<Record<string, string>>, rawBody: Buffer, publicKeyHex: string, nowMs: number): Promise<void> {
  // The executor turns a failed header check into a rejection, like a failed signature.
  return new Promise((resolve, reject) => {
    const key = discordPublicKey(publicKeyHex);
    const timestamp = headers[DISCORD_TIMESTAMP_HEADER];
    const signature = headers[DISCORD_SIGNATURE_HEADER];
    if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) throw new UnauthorizedError("discord timestamp missing or malformed");
    if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) throw new UnauthorizedError("discord timestamp stale");
    if (signature === undefined || !/^[0-9a-fA-F]{128}$/.test(signature)) throw new UnauthorizedError("discord signature missing or malformed");
    const signed = Buffer.concat([Buffer.from(timestamp, "utf8"), rawBody]);
    verify(null, signed, key, Buffer.from(signature, "hex"), (error, valid) => {
      if (error) reject(error);
      else if (valid) resolve();
      else reject(new UnauthorizedError("discord signature invalid"));
    });
  });
}

const SNOWFLAKE = /^\d{1,20}$/;
const INTERACTION_TOKEN = /^[\w.-]{1,512}$/;
const COMMAND_NAME = /^[\w-]{1,32}$/;
/** A command has at most 25 options (https://discord.com/developers/docs/interactions/application-commands#application-command-object). */
const MAX_OPTIONS = 25;

/** An application command interaction: the fields we read (its type is checked before: parseDiscordInteraction). */
export const interactionSchema = firstUse(() => {
  const option = z.object({ value: z.optional(z.union([z.string(), z.number(), z.boolean()])) });
  const discordUser = z.object({ id: userIdSchema() });
  const snowflake = z.string().check(z.regex(SNOWFLAKE));
  return z.object({
    id: snowflake,
    token: z.string().check(z.regex(INTERACTION_TOKEN)),
    application_id: z.optional(snowflake),
    data: z.object({ name: z.string().check(z.regex(COMMAND_NAME)), type: z.optional(z.number()), options: z.optional(z.array(option).check(z.maxLength(MAX_OPTIONS))) }),
    member: z.optional(z.object({ user: discordUser })),
    user: z.optional(discordUser),
  });
});

type CommandInteraction = z.infer<ReturnType<typeof interactionSchema>>;
type OptionValue = string | number | boolean;

/** interactionSchema's valid case by hand, its result or undefined (parse.ts parseValueFast says why and what it must keep to). */
export function commandInteractionFast(value: unknown): CommandInteraction | undefined {
  if (!isRecord(value)) return undefined;
  const { id, token, application_id: applicationId, data, member, user } = value;
  if (!isStringMatching(id, SNOWFLAKE) || !isStringMatching(token, INTERACTION_TOKEN)) return undefined;
  if (applicationId !== undefined && !isStringMatching(applicationId, SNOWFLAKE)) return undefined;
  if (!isRecord(data) || !isStringMatching(data.name, COMMAND_NAME)) return undefined;
  if (data.type !== undefined && !isFiniteNumber(data.type)) return undefined;
  let options: { value?: OptionValue }[] | undefined;
  if (data.options !== undefined) {
    if (!Array.isArray(data.options) || data.options.length > MAX_OPTIONS) return undefined;
    options = [];
    for (const option of data.options as unknown[]) {
      if (!isRecord(option)) return undefined;
      const optionValue = option.value;
      if (optionValue === undefined) options.push({});
      else if (typeof optionValue === "string" || typeof optionValue === "boolean" || isFiniteNumber(optionValue)) options.push({ value: optionValue });
      else return undefined;
    }
  }
  const memberUserId = member === undefined ? undefined : isRecord(member) && isRecord(member.user) ? discordUserId(member.user) : null;
  const userId = user === undefined ? undefined : isRecord(user) ? discordUserId(user) : null;
  if (memberUserId === null || userId === null) return undefined;
  return {
    id,
    token,
    ...(applicationId === undefined ? {} : { application_id: applicationId }),
    data: { name: data.name, ...(data.type === undefined ? {} : { type: data.type }), ...(options === undefined ? {} : { options }) },
    ...(memberUserId === undefined ? {} : { member: { user: { id: memberUserId } } }),
    ...(userId === undefined ? {} : { user: { id: userId } }),
  };
}

/** A user object's id when it is one we key by; null otherwise. */
const discordUserId = (user: Record<string, unknown>): string | null => (isStringMatching(user.id, USER_ID) ? user.id : null);
/** What z.number() accepts. */
const isFiniteNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/** Interaction types (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-type). */
const PING = 1;
const APPLICATION_COMMAND = 2;
const MESSAGE_COMPONENT = 3;
const APPLICATION_COMMAND_AUTOCOMPLETE = 4;
/** Application command types: only slash commands (CHAT_INPUT) are registered (https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-types). */
const CHAT_INPUT = 1;

export type DiscordInteraction =
  | { readonly kind: "ping" }
  | {
      readonly kind: "command";
      readonly inbound: Inbound;
      readonly interactionId: string;
      /** Continuation token: valid 15 minutes, needed for a deferred answer's follow-up. */
      readonly token: string;
      readonly applicationId?: string;
    }
  /** Not something this app offers (autocomplete, components, modals, user or message commands, new types): answered, nothing recorded. */
  | { readonly kind: "unsupported"; readonly type: number; readonly response: HttpResult };

export const UNSUPPORTED_INTERACTION_TEXT = "This app only has slash commands: try /help.";

export function parseDiscordInteraction(rawBody: Buffer): DiscordInteraction {
  // The body is decoded once. Every interaction has an integer type
  // (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object):
  // it is checked here by hand, being the only field read before the type picks what to answer
  // (a schema call per request for one number); a command is then checked whole by its schema.
  const body = parseJson(rawBody);
  const type = typeof body === "object" && body !== null ? (body as { type?: unknown }).type : undefined;
  if (typeof type !== "number" || !Number.isSafeInteger(type)) throw new BadRequestError("schema mismatch at type");
  if (type === PING) return { kind: "ping" };
  // Autocomplete: no options use it, so the answer is no suggestions (callback type 8).
  if (type === APPLICATION_COMMAND_AUTOCOMPLETE) return { kind: "unsupported", type, response: json(200, { type: 8, data: { choices: [] } }) };
  // A component on a message we did not send: acknowledge without changing it (callback type 6).
  if (type === MESSAGE_COMPONENT) return { kind: "unsupported", type, response: json(200, { type: 6 }) };
  // MODAL_SUBMIT (5: the bot opens no modals) and types newer than this code: a private hint.
  if (type !== APPLICATION_COMMAND) return { kind: "unsupported", type, response: privateAnswer(UNSUPPORTED_INTERACTION_TEXT) };
  const interaction = parseValueFast(body, commandInteractionFast, interactionSchema);
  if ((interaction.data.type ?? CHAT_INPUT) !== CHAT_INPUT) return { kind: "unsupported", type, response: privateAnswer(UNSUPPORTED_INTERACTION_TEXT) };
  const userId = interaction.member?.user.id ?? interaction.user?.id;
  if (userId === undefined) throw new BadRequestError("interaction without a user");
  const args = (interaction.data.options ?? []).map((o) => String(o.value ?? "")).join(" ");
  return {
    kind: "command",
    interactionId: interaction.id,
    token: interaction.token,
    ...(interaction.application_id !== undefined ? { applicationId: interaction.application_id } : {}),
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

/**
 * Type 4 (CHANNEL_MESSAGE_WITH_SOURCE), always ephemeral: the bot's answers are about one user's
 * tickets, and in a server channel anything not ephemeral is read by everyone there.
 */
export function discordResponse(answer: Answer): HttpResult {
  // An interaction must be answered: where the bot would stay silent (rate limited), it answers privately.
  return privateAnswer(answer.kind === "text" ? answer.text : "…");
}

function privateAnswer(text: string): HttpResult {
  return json(200, { type: 4, data: discordMessage(text, { ephemeral: true }) });
}

/**
 * Type 5 (DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE): "thinking…" now, the answer later through the
 * follow-up; EPHEMERAL is the only flag it may carry and the follow-up keeps it
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-messages).
 */
export const DEFERRED_PRIVATE_RESPONSE: HttpResult = json(200, { type: 5, data: { flags: 64 } });

/** The answer text as the body of PATCH /webhooks/{application.id}/{token}/messages/@original. */
export function discordFollowUpBody(answer: Answer): string {
  const { content, allowed_mentions } = discordMessage(answer.kind === "text" ? answer.text : "…");
  return JSON.stringify({ content, allowed_mentions });
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

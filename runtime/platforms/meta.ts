import { createHmac } from "node:crypto";
import * as z from "zod/mini";
import type { Inbound } from "../domain/types";
import { ForbiddenError, UnauthorizedError } from "../errors";
import { firstUse } from "../firstUse";
import type { HttpResult } from "../http/event";
import { text } from "../http/respond";
import { parseJsonBody } from "./parse";
import { safeEqual, safeEqualBytes } from "./safeEqual";

export const META_SIGNATURE_HEADER = "x-hub-signature-256";

/** `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body with the app secret. */
export function verifyMeta(headers: Readonly<Record<string, string>>, rawBody: Buffer, appSecret: string): void {
  const header = headers[META_SIGNATURE_HEADER];
  const match = header === undefined ? null : /^sha256=([0-9a-f]{64})$/.exec(header);
  if (match === null) throw new UnauthorizedError("meta signature missing or malformed");
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  if (!safeEqualBytes(Buffer.from(match[1] as string, "hex"), expected)) throw new UnauthorizedError("meta signature invalid");
}

/** GET subscription check: answer hub.challenge as plain text when the verify token matches. */
export function metaVerification(query: URLSearchParams, verifyToken: string): HttpResult {
  const challenge = query.get("hub.challenge") ?? "";
  if (query.get("hub.mode") !== "subscribe" || !safeEqual(query.get("hub.verify_token") ?? undefined, verifyToken)) {
    throw new ForbiddenError("meta verify token missing or wrong");
  }
  // Meta sends a number; anything else is not echoed back.
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(challenge)) throw new ForbiddenError("meta challenge malformed");
  return text(200, challenge);
}

/** The payload schemas, built on first use (parse.ts). */
const schemas = firstUse(() => {
  /**
   * Ids as Meta sends them: WhatsApp `wamid.…` (base64 with = + /), Messenger `mid.…:…` or
   * `mid.$…`. Printable ASCII without spaces; they only ever become keys through a hash or a map key.
   */
  const messageId = z.string().check(z.regex(/^[\x21-\x7e]{1,512}$/));
  const numericId = z.string().check(z.regex(/^\d{1,32}$/));
  /**
   * Business-scoped user id: a two-letter country code, a period, up to 128 alphanumerics; a parent
   * BSUID has `ENT.` after the country code (US.13491208655302741918, US.ENT.11815799212886844830)
   * (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids).
   */
  const bsuid = z.string().check(z.regex(/^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$/));
  const unixSeconds = z.string().check(z.regex(/^\d{1,12}$/));
  /** Messenger timestamps are epoch milliseconds, as numbers, or as strings in newer examples. */
  const epochMs = z.union([z.number().check(z.int(), z.gte(0)), z.pipe(z.string().check(z.regex(/^\d{1,15}$/)), z.transform(Number))]);

  const envelope = z.object({ object: z.string(), entry: z.array(z.unknown()) });

  const whatsappEntry = z.object({ changes: z.optional(z.array(z.unknown())) });
  const change = z.object({ field: z.string(), value: z.unknown() });
  const whatsappMessages = z.object({
    metadata: z.object({ phone_number_id: numericId }),
    contacts: z.optional(z.array(z.unknown())),
    messages: z.optional(z.array(z.unknown())),
    statuses: z.optional(z.array(z.unknown())),
    errors: z.optional(z.array(z.unknown())),
  });
  const whatsappContact = z.object({ wa_id: z.optional(numericId), user_id: z.optional(bsuid) });
  /**
   * One incoming WhatsApp message. `from` (the phone number) is absent for users who adopted a
   * username; `from_user_id` (their BSUID) is then the only address
   * (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids).
   */
  const whatsappMessage = z.object({
    id: messageId,
    from: z.optional(numericId),
    from_user_id: z.optional(bsuid),
    group_id: z.optional(z.string()),
    timestamp: unixSeconds,
    type: z.string(),
    text: z.optional(z.object({ body: z.string() })),
  });

  const messengerEntry = z.object({ time: z.optional(epochMs), messaging: z.optional(z.array(z.unknown())), standby: z.optional(z.array(z.unknown())) });
  const messengerEvent = z.object({
    sender: z.optional(z.object({ id: z.optional(z.string()), user_ref: z.optional(z.string()) })),
    recipient: z.optional(z.object({ id: z.optional(z.string()) })),
    timestamp: z.optional(epochMs),
    message: z.optional(z.object({ mid: z.optional(z.string()), text: z.optional(z.string()), is_echo: z.optional(z.boolean()) })),
  });
  const messengerText = z.object({
    sender: z.object({ id: numericId }),
    recipient: z.object({ id: numericId }),
    message: z.object({ mid: messageId, text: z.string() }),
  });
  return { envelope, whatsappEntry, change, whatsappMessages, whatsappContact, whatsappMessage, messengerEntry, messengerEvent, messengerText };
});

export interface MetaMessage {
  readonly inbound: Inbound;
  /** Where the outbound reply goes: `whatsapp:<phone-number-id>:<phone or BSUID>` or `messenger:<page-id>:<psid>`. */
  readonly address: string;
}

/** Something in the batch that is not a message we act on: logged with its place in the body and skipped. */
export interface MetaSkipped {
  /** What it is, e.g. `whatsapp.status`, `messenger.read`, `whatsapp.message.image`, `malformed`. */
  readonly kind: string;
  /** Where it sits, e.g. `entry[2].changes[0].value.messages[1]`. */
  readonly path: string;
  /** Whether it is a kind Meta documents and we deliberately ignore (info), or one we could not read (warn). */
  readonly expected: boolean;
}

export interface MetaBatch {
  readonly messages: MetaMessage[];
  readonly skipped: MetaSkipped[];
}

/**
 * Every text message of a WhatsApp Cloud API or Messenger notification, read entry by entry and
 * event by event: a part we do not understand (a status, a receipt, an opt-in with only a
 * user_ref, an echo, a reaction, a media message, a malformed event) is reported in `skipped` and
 * never costs the rest of the batch. Only a body that is not a Meta notification at all
 * (not JSON, no `object` or `entry`) is refused (400).
 */
export function parseMetaPayload(rawBody: Buffer): MetaBatch {
  const payload = parseJsonBody(rawBody, schemas().envelope);
  const batch: MetaBatch = { messages: [], skipped: [] };
  payload.entry.forEach((entry, index) => {
    const path = `entry[${index}]`;
    if (payload.object === "whatsapp_business_account") readWhatsappEntry(entry, path, batch);
    else if (payload.object === "page") readMessengerEntry(entry, path, batch);
    else batch.skipped.push({ kind: `object.${safeKind(payload.object)}`, path, expected: false });
  });
  return batch;
}

function readWhatsappEntry(raw: unknown, path: string, batch: MetaBatch): void {
  const entry = schemas().whatsappEntry.safeParse(raw);
  if (!entry.success) return void batch.skipped.push({ kind: "malformed", path, expected: false });
  (entry.data.changes ?? []).forEach((rawChange, c) => {
    const changePath = `${path}.changes[${c}]`;
    const parsed = schemas().change.safeParse(rawChange);
    if (!parsed.success) return void batch.skipped.push({ kind: "malformed", path: changePath, expected: false });
    // Other fields (account_update, message_template_status_update, smb_message_echoes, …) carry no user messages.
    if (parsed.data.field !== "messages") return void batch.skipped.push({ kind: `whatsapp.field.${safeKind(parsed.data.field)}`, path: changePath, expected: true });
    const value = schemas().whatsappMessages.safeParse(parsed.data.value);
    if (!value.success) return void batch.skipped.push({ kind: "malformed", path: `${changePath}.value`, expected: false });
    const { metadata, contacts = [], messages = [], statuses = [], errors = [] } = value.data;
    statuses.forEach((_, s) => batch.skipped.push({ kind: "whatsapp.status", path: `${changePath}.value.statuses[${s}]`, expected: true }));
    errors.forEach((_, e) => batch.skipped.push({ kind: "whatsapp.error", path: `${changePath}.value.errors[${e}]`, expected: true }));
    const knownContacts = contacts.map((contact) => schemas().whatsappContact.safeParse(contact)).flatMap((r) => (r.success ? [r.data] : []));
    messages.forEach((rawMessage, m) => {
      const messagePath = `${changePath}.value.messages[${m}]`;
      const message = schemas().whatsappMessage.safeParse(rawMessage);
      if (!message.success) return void batch.skipped.push({ kind: "malformed", path: messagePath, expected: false });
      const msg = message.data;
      // Groups API messages: a reply would go to the whole group, so tickets stay one-to-one.
      if (msg.group_id !== undefined) return void batch.skipped.push({ kind: "whatsapp.group", path: messagePath, expected: true });
      if (msg.type !== "text" || msg.text === undefined) return void batch.skipped.push({ kind: `whatsapp.message.${safeKind(msg.type)}`, path: messagePath, expected: true });
      const contact = knownContacts.find((c) => (msg.from !== undefined && c.wa_id === msg.from) || (msg.from_user_id !== undefined && c.user_id === msg.from_user_id)) ?? (knownContacts.length === 1 ? knownContacts[0] : undefined);
      // The BSUID is the user's stable address for this business (it never changes with a username
      // and is sent whether or not the phone number is); the phone number only when there is none.
      const user = msg.from_user_id ?? contact?.user_id ?? msg.from ?? contact?.wa_id;
      if (user === undefined) return void batch.skipped.push({ kind: "whatsapp.message.no_sender", path: messagePath, expected: false });
      batch.messages.push({
        address: `whatsapp:${metadata.phone_number_id}:${user}`,
        inbound: { user: { platform: "meta", userId: `wa:${user}` }, deliveryKey: `meta:${msg.id}`, text: msg.text.body, sentAt: Number(msg.timestamp) * 1000 },
      });
    });
  });
}

function readMessengerEntry(raw: unknown, path: string, batch: MetaBatch): void {
  const entry = schemas().messengerEntry.safeParse(raw);
  if (!entry.success) return void batch.skipped.push({ kind: "malformed", path, expected: false });
  // Standby: another app owns the conversation (handover protocol); it answers, not us.
  (entry.data.standby ?? []).forEach((_, s) => batch.skipped.push({ kind: "messenger.standby", path: `${path}.standby[${s}]`, expected: true }));
  (entry.data.messaging ?? []).forEach((rawEvent, e) => {
    const eventPath = `${path}.messaging[${e}]`;
    const event = schemas().messengerEvent.safeParse(rawEvent);
    if (!event.success) return void batch.skipped.push({ kind: "malformed", path: eventPath, expected: false });
    const kind = messengerKind(event.data, rawEvent);
    if (kind !== "messenger.text") return void batch.skipped.push({ kind, path: eventPath, expected: kind !== "messenger.unknown" });
    const message = schemas().messengerText.safeParse(rawEvent);
    // Messages always carry a timestamp; should one not, the entry's time still keeps retries identical.
    const sentAt = event.data.timestamp ?? entry.data.time;
    if (!message.success || sentAt === undefined) return void batch.skipped.push({ kind: "malformed", path: eventPath, expected: false });
    const { sender, recipient, message: msg } = message.data;
    batch.messages.push({
      address: `messenger:${recipient.id}:${sender.id}`,
      inbound: { user: { platform: "meta", userId: `ms:${sender.id}` }, deliveryKey: `meta:${msg.mid}`, text: msg.text, sentAt },
    });
  });
}

/** The Messenger webhook event kinds (https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events). */
function messengerKind(event: z.infer<ReturnType<typeof schemas>["messengerEvent"]>, raw: unknown): string {
  const has = (key: string) => typeof raw === "object" && raw !== null && key in raw;
  if (event.message !== undefined) {
    if (event.message.is_echo === true) return "messenger.echo";
    return event.message.text === undefined ? "messenger.message.attachment" : "messenger.text";
  }
  for (const key of ["delivery", "read", "postback", "optin", "reaction", "referral", "message_edit", "account_linking", "policy_enforcement", "pass_thread_control", "take_thread_control", "request_thread_control", "app_roles", "response_feedback"]) {
    if (has(key)) return `messenger.${key}`;
  }
  return "messenger.unknown";
}

/** A kind name safe for a log field: what Meta sent, cut to letters, digits and _ . */
function safeKind(value: string): string {
  return value.replace(/[^A-Za-z0-9_]/g, "").slice(0, 40) || "unnamed";
}

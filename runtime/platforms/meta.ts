import { createHmac } from "node:crypto";
import * as z from "zod/mini";
import type { Inbound } from "../domain/types";
import { ForbiddenError, UnauthorizedError } from "../errors";
import type { HttpResult } from "../http/event";
import { text } from "../http/respond";
import { parseJsonBody, parseValue } from "./parse";
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

const metaId = z.string().check(z.regex(/^[A-Za-z0-9_.:=+/-]{1,256}$/));
const numericId = z.string().check(z.regex(/^\d{1,32}$/));

const whatsappValue = z.looseObject({
  metadata: z.looseObject({ phone_number_id: numericId }),
  messages: z.optional(
    z.array(
      z.looseObject({ id: metaId, from: numericId, timestamp: z.string().check(z.regex(/^\d{1,12}$/)), type: z.string(), text: z.optional(z.looseObject({ body: z.string() })) }),
    ).check(z.maxLength(100)),
  ),
});

const messengerEvent = z.looseObject({
  sender: z.looseObject({ id: numericId }),
  recipient: z.looseObject({ id: numericId }),
  timestamp: z.number().check(z.int(), z.gte(0)),
  message: z.optional(z.looseObject({ mid: metaId, text: z.optional(z.string()), is_echo: z.optional(z.boolean()) })),
});

export const metaPayloadSchema = z.looseObject({
  object: z.string(),
  entry: z
    .array(
      z.looseObject({
        changes: z.optional(z.array(z.looseObject({ field: z.string(), value: z.unknown() })).check(z.maxLength(100))),
        messaging: z.optional(z.array(messengerEvent).check(z.maxLength(100))),
      }),
    )
    .check(z.maxLength(100)),
});

export interface MetaMessage {
  readonly inbound: Inbound;
  /** Where the outbound reply goes: `whatsapp:<phone-number-id>:<to>` or `messenger:<page-id>:<psid>`. */
  readonly address: string;
}

/** Text messages from WhatsApp Cloud API and Messenger payloads; statuses, echoes and media are skipped. */
export function parseMetaPayload(rawBody: Buffer): MetaMessage[] {
  const payload = parseJsonBody(rawBody, metaPayloadSchema);
  const out: MetaMessage[] = [];
  for (const entry of payload.entry) {
    if (payload.object === "whatsapp_business_account") {
      for (const change of entry.changes ?? []) {
        if (change.field !== "messages") continue;
        const value = parseValue(change.value, whatsappValue);
        for (const m of value.messages ?? []) {
          if (m.type !== "text" || m.text === undefined) continue;
          out.push({
            address: `whatsapp:${value.metadata.phone_number_id}:${m.from}`,
            inbound: { user: { platform: "meta", userId: `wa:${m.from}` }, deliveryKey: `meta:${m.id}`, text: m.text.body, sentAt: Number(m.timestamp) * 1000 },
          });
        }
      }
    } else if (payload.object === "page") {
      for (const event of entry.messaging ?? []) {
        const message = event.message;
        if (message?.text === undefined || message.is_echo === true) continue;
        out.push({
          address: `messenger:${event.recipient.id}:${event.sender.id}`,
          inbound: { user: { platform: "meta", userId: `ms:${event.sender.id}` }, deliveryKey: `meta:${message.mid}`, text: message.text, sentAt: event.timestamp },
        });
      }
    }
  }
  return out;
}

import type { HandlerName } from "../routes";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Largest request body each entry point accepts (larger → 413 before anything is parsed). Sized
 * from what each platform really sends, under the hard limits in front of us: API Gateway HTTP
 * APIs take up to 10 MB per request, and a synchronous Lambda invocation carries at most 6 MB of
 * event (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) — the body travels inside
 * that event as a JSON string, so quotes and backslashes grow it further.
 */
export const MAX_BODY_BYTES: Readonly<Record<HandlerName, number>> = {
  // One Update per request, one message of at most 4096 characters plus its entities and the
  // message it replies to (https://core.telegram.org/bots/api#update).
  telegram: 256 * KiB,
  // One interaction; a message command resolves one message (2,000 characters, 10 embeds of at
  // most 6,000 characters in total) (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
  discord: 256 * KiB,
  // One event; a message's text can be 40,000 characters and its blocks repeat it
  // (https://docs.slack.dev/reference/methods/chat.postMessage#truncating).
  slack: 1 * MiB,
  // Meta aggregates up to 1,000 updates in one request
  // (https://developers.facebook.com/docs/graph-api/webhooks/getting-started/#event-notifications).
  // 4 MiB holds 1,000 typical messages several times over and leaves the 6 MB event room for the
  // JSON-string escaping of the body and the headers.
  meta: 4 * MiB,
  health: 16 * KiB,
  // Agents' bodies: a reply of at most 4,000 characters, an export range, a status change.
  api: 64 * KiB,
  // No HTTP route (scheduled functions).
  export: 0,
  outbox: 0,
};

/**
 * The signing side of runtime/platforms' verifiers, in one place: what Telegram, Discord, Slack and
 * Meta put on a webhook request. Used by `npm run send`, the end-to-end tests and the load bench.
 */
import { createHmac, type KeyObject, sign } from "node:crypto";
import { DISCORD_SIGNATURE_HEADER, DISCORD_TIMESTAMP_HEADER } from "../../runtime/platforms/discord";
import { META_SIGNATURE_HEADER } from "../../runtime/platforms/meta";
import { SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER } from "../../runtime/platforms/slack";
import { TELEGRAM_SECRET_HEADER } from "../../runtime/platforms/telegram";

export type Headers = Record<string, string>;

/** Telegram repeats the webhook's secret_token on every update. */
export function telegramSignature(webhookSecret: string): Headers {
  return { [TELEGRAM_SECRET_HEADER]: webhookSecret };
}

/** Ed25519 over timestamp + raw body, hex. */
export function discordSignature(body: Buffer, privateKey: KeyObject, timestampSeconds: number): Headers {
  const timestamp = String(timestampSeconds);
  const signature = sign(null, Buffer.concat([Buffer.from(timestamp, "utf8"), body]), privateKey).toString("hex");
  return { [DISCORD_SIGNATURE_HEADER]: signature, [DISCORD_TIMESTAMP_HEADER]: timestamp };
}

/** v0 HMAC-SHA256 over "v0:<timestamp>:<body>". */
export function slackSignature(body: Buffer, signingSecret: string, timestampSeconds: number): Headers {
  const timestamp = String(timestampSeconds);
  const mac = createHmac("sha256", signingSecret).update(`v0:${timestamp}:`).update(body).digest("hex");
  return { [SLACK_SIGNATURE_HEADER]: `v0=${mac}`, [SLACK_TIMESTAMP_HEADER]: timestamp };
}

/** HMAC-SHA256 of the raw body with the app secret. */
export function metaSignature(body: Buffer, appSecret: string): Headers {
  return { [META_SIGNATURE_HEADER]: `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}` };
}

import { createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { HttpEvent } from "../../../runtime/http/event";

/** The one builder of API Gateway HTTP API (payload 2.0) events for every runtime test. */
export function httpEvent(options: {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  base64?: boolean;
  query?: string;
}): HttpEvent {
  const raw = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, "utf8");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
  return {
    version: "2.0",
    routeKey: `${options.method} ${options.path}`,
    rawPath: options.path,
    rawQueryString: options.query ?? "",
    headers,
    body: raw === undefined ? undefined : options.base64 === true ? raw.toString("base64") : raw.toString("utf8"),
    isBase64Encoded: options.base64 === true,
    requestContext: { http: { method: options.method, path: options.path, sourceIp: "127.0.0.1" }, requestId: "test", timeEpoch: Date.now() },
  };
}

/** test/events/<platform>/<name>.json */
export function fixture<T = Record<string, unknown>>(platform: string, name: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "events", platform, `${name}.json`), "utf8")) as T;
}

export const SECRETS = {
  telegram: "tg-webhook-secret_0123456789",
  slack: "slack-signing-secret-0123456789abcdef",
  metaApp: "meta-app-secret-0123456789abcdef",
  metaVerify: "meta-verify-token-42",
  origin: "origin-verify-secret-0123456789abcdef",
} as const;

export interface DiscordKeys {
  readonly privateKey: KeyObject;
  readonly publicKeyHex: string;
}

export function discordKeys(): DiscordKeys {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  return { privateKey, publicKeyHex: Buffer.from(String(jwk.x), "base64url").toString("hex") };
}

export function telegramHeaders(secret: string = SECRETS.telegram): Record<string, string> {
  return { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret };
}

export function discordHeaders(body: string | Buffer, keys: DiscordKeys, timestampSeconds: number): Record<string, string> {
  const ts = String(timestampSeconds);
  const signature = sign(null, Buffer.concat([Buffer.from(ts), Buffer.from(body)]), keys.privateKey).toString("hex");
  return { "content-type": "application/json", "x-signature-ed25519": signature, "x-signature-timestamp": ts };
}

export function slackHeaders(body: string | Buffer, timestampSeconds: number, contentType = "application/json", secret: string = SECRETS.slack): Record<string, string> {
  const ts = String(timestampSeconds);
  const mac = createHmac("sha256", secret).update(`v0:${ts}:`).update(body).digest("hex");
  return { "content-type": contentType, "x-slack-request-timestamp": ts, "x-slack-signature": `v0=${mac}` };
}

export function metaHeaders(body: string | Buffer, secret: string = SECRETS.metaApp): Record<string, string> {
  return { "content-type": "application/json", "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` };
}

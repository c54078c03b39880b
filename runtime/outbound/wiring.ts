import { hash } from "node:crypto";
import { type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type SecretSource } from "../adapters/secrets";
import { type ReplyIntent as StoredReplyIntent } from "../adapters/store";
import { ENV } from "../env";
import { ConfigError } from "../errors";
import { type DeadLetters, SqsDeadLetters, StoreDeadLetters } from "./deadLetters";
import { DeliveryLedger } from "./deliveryLedger";
import { type OutboundDependencies } from "./deliverReply";
import { DEFAULT_BASE_URLS, type PlatformBaseUrls } from "./platformRequests";
import { type OutboundPlatform, type ReplyIntent, type ReplyTarget } from "./replyIntent";
import { DEFAULT_RETRY_POLICY } from "./retryPolicy";
import { recordAgentMessage, recordReplyFailure } from "./ticketRecords";

type Env = Readonly<Record<string, string | undefined>>;

export interface OutboundSettings {
  readonly baseUrls: PlatformBaseUrls;
  /** Deployed: the DLQ. Unset in local mode, where dead letters are store items. */
  readonly deadLetterQueueUrl?: string;
}

const SQS_QUEUE_URL = /^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/** Base URLs (https only when deployed) and the DLQ URL (required when deployed). */
export function readOutboundSettings(env: Env, mode: "local" | "deployed"): OutboundSettings {
  const url = (name: string, fallback: string): string => {
    const value = env[name];
    if (value === undefined || value === "") return fallback;
    const ok = mode === "deployed" ? /^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(value) : /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(value);
    if (!ok) throw new ConfigError(`${name}: must be an ${mode === "deployed" ? "https" : "http(s)"} URL`);
    return value.replace(/\/$/, "");
  };
  const baseUrls: PlatformBaseUrls = {
    telegram: url(ENV.telegramApiUrl, DEFAULT_BASE_URLS.telegram),
    discord: url(ENV.discordApiUrl, DEFAULT_BASE_URLS.discord),
    slack: url(ENV.slackApiUrl, DEFAULT_BASE_URLS.slack),
    meta: url(ENV.metaGraphApiUrl, DEFAULT_BASE_URLS.meta),
  };
  const dlq = env[ENV.deadLetterQueueUrl];
  if (dlq === undefined || dlq === "") {
    if (mode === "deployed") throw new ConfigError(`${ENV.deadLetterQueueUrl}: required in deployed mode`);
    return { baseUrls };
  }
  if (!SQS_QUEUE_URL.test(dlq)) throw new ConfigError(`${ENV.deadLetterQueueUrl}: must be an SQS queue URL`);
  return { baseUrls, deadLetterQueueUrl: dlq };
}

/** The bot credential each send API takes, from the platform's secret (cached per cold start by the source). */
export function credentialsFrom(secrets: SecretSource): (platform: OutboundPlatform) => Promise<string> {
  return async (platform) => {
    switch (platform) {
      case "telegram":
        return (await secrets.get("telegram")).botToken;
      case "discord":
        return (await secrets.get("discord")).botToken;
      case "slack":
        return (await secrets.get("slack")).botToken;
      case "whatsapp":
      case "messenger":
        return (await secrets.get("meta")).accessToken;
      // Follow-ups carry their own short-lived credential (interaction token, response_url).
      case "discord_followup":
      case "slack_response":
        return "";
    }
  };
}

/** SQS when a DLQ URL is configured (deployed); store items otherwise (local mode: there is no SQS). */
export async function deadLettersFor(settings: OutboundSettings, documents: DynamoDBDocumentClient, tableName: string): Promise<DeadLetters> {
  if (settings.deadLetterQueueUrl === undefined) return new StoreDeadLetters(documents, tableName);
  return new SqsDeadLetters(async () => new (await import("@aws-sdk/client-sqs")).SQSClient({}), settings.deadLetterQueueUrl);
}

export function outboundDependencies(parts: {
  settings: OutboundSettings;
  documents: DynamoDBDocumentClient;
  tableName: string;
  secrets: SecretSource;
  deadLetters: DeadLetters;
}): OutboundDependencies {
  const store = { documents: parts.documents, tableName: parts.tableName };
  return {
    ledger: new DeliveryLedger(parts.documents, parts.tableName),
    deadLetters: parts.deadLetters,
    credential: credentialsFrom(parts.secrets),
    recordFailure: (intent, reason, now) => recordReplyFailure(store, intent, reason, now),
    recordAgentMessage: (intent, ref, claimedAt) => recordAgentMessage(store, intent, ref, claimedAt),
    baseUrls: parts.settings.baseUrls,
    // How long a delivery may take comes from the invocation's deadline (DeliveryWindow); a
    // Retry-After longer than 5 s is not waited for inside a request.
    policy: { ...DEFAULT_RETRY_POLICY, maxRetryAfterMs: 5000 },
    send: { fetch, sleep: (ms) => new Promise((done) => setTimeout(done, ms)), random: Math.random, now: Date.now, timeoutMs: 4000 },
  };
}

/** A webhook reply intent (address strings of store.ts) as an outbound intent; the delivery key is the idempotency key. */
export function fromStoredIntent(reply: StoredReplyIntent): ReplyIntent {
  return { replyId: hash("sha256", reply.deliveryKey, "base64url").slice(0, 32), ticketId: "", target: targetOfAddress(reply), text: reply.text };
}

function targetOfAddress(reply: StoredReplyIntent): ReplyTarget {
  if (reply.platform === "slack") return { platform: "slack", channel: reply.address };
  const [kind, first, second] = reply.address.split(":");
  if (kind === "whatsapp" && first && second) return { platform: "whatsapp", phoneNumberId: first, to: second };
  if (kind === "messenger" && second) return { platform: "messenger", recipientId: second };
  throw new ConfigError("meta reply address not understood");
}

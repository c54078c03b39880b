/**
 * Names of the environment variables the deployed functions read. infra/aws sets them, the local
 * stack sets them, runtime/ checks them (configChecks.ts) — one list so the three never drift.
 */
export const ENV = {
  /** "deployed" (Secrets Manager, origin lock on) or "local" (secrets from the environment). */
  mode: "BOTFLEET_MODE",
  tableName: "BOTFLEET_TABLE",
  /** Local mode only: URL of the embedded DynamoDB server (unset = the region's endpoint). */
  dynamodbEndpoint: "BOTFLEET_DYNAMODB_ENDPOINT",
  /** JSON object: secret name (e.g. "telegram", "origin") → Secrets Manager ARN; only the ones this function may read. */
  secretArns: "BOTFLEET_SECRET_ARNS",
  botRateLimitCapacity: "BOTFLEET_RATE_CAPACITY",
  botRateLimitRefillPerMinute: "BOTFLEET_RATE_REFILL_PER_MINUTE",
  botTicketOpensPerHour: "BOTFLEET_TICKET_OPENS_PER_HOUR",
  conversationTtlMinutes: "BOTFLEET_CONVERSATION_TTL_MINUTES",
  dedupeTtlHours: "BOTFLEET_DEDUPE_TTL_HOURS",
  auditTtlDays: "BOTFLEET_AUDIT_TTL_DAYS",
  /** Queue that receives replies that could not be delivered (dead letters of outbound replies). */
  deadLetterQueueUrl: "BOTFLEET_DLQ_URL",
  archiveBucket: "BOTFLEET_ARCHIVE_BUCKET",
  /** Local mode only: http://127.0.0.1:<port> of the local GCS JSON-API server (tools/local/gcsServer.ts). */
  gcsEndpoint: "BOTFLEET_GCS_ENDPOINT",
  /** Platform send-API base URLs (outbound replies); unset = the platforms' public APIs. Tests and the local stack point them at a stand-in. */
  telegramApiUrl: "BOTFLEET_TELEGRAM_API_URL",
  discordApiUrl: "BOTFLEET_DISCORD_API_URL",
  slackApiUrl: "BOTFLEET_SLACK_API_URL",
  metaGraphApiUrl: "BOTFLEET_META_GRAPH_API_URL",
  /** WhatsApp Business phone number id that agents' replies to WhatsApp users are sent from. */
  whatsappPhoneNumberId: "BOTFLEET_WHATSAPP_PHONE_NUMBER_ID",
  /**
   * Name of the outbox function, which the Discord and Slack webhooks invoke asynchronously to
   * finish an interaction they deferred (unset: the outbox's schedule picks it up within a minute).
   */
  outboxFunction: "BOTFLEET_OUTBOX_FUNCTION",
  /** GCP external_account (Workload Identity Federation) credential configuration, JSON, no secrets. */
  gcpCredentials: "BOTFLEET_GCP_CREDENTIALS",
  authIssuer: "AUTH_ISSUER",
  authAudience: "AUTH_AUDIENCE",
  /** Deployed: HTTPS URL of the issuer's JWKS. Local: AUTH_JWKS holds the JWKS JSON itself. */
  authJwksUrl: "AUTH_JWKS_URL",
  authJwks: "AUTH_JWKS",
  authRolesClaim: "AUTH_ROLES_CLAIM",
} as const;

/** Local-mode secret settings (environment variables); deployed mode reads these values from Secrets Manager. */
export const LOCAL_SECRET_ENV = {
  telegramWebhookSecret: "TELEGRAM_WEBHOOK_SECRET",
  discordPublicKey: "DISCORD_PUBLIC_KEY",
  slackSigningSecret: "SLACK_SIGNING_SECRET",
  metaAppSecret: "META_APP_SECRET",
  metaVerifyToken: "META_VERIFY_TOKEN",
  originVerifySecret: "ORIGIN_VERIFY_SECRET",
  /** Optional locally (outbound calls only); deployed mode reads them from the platform's secret. */
  telegramBotToken: "TELEGRAM_BOT_TOKEN",
  discordApplicationId: "DISCORD_APPLICATION_ID",
  discordBotToken: "DISCORD_BOT_TOKEN",
  slackBotToken: "SLACK_BOT_TOKEN",
  metaAccessToken: "META_ACCESS_TOKEN",
} as const;

/** Secrets Manager secrets, one per platform plus the origin-verify value. */
export const SECRET_NAMES = ["telegram", "discord", "slack", "meta", "origin"] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

import { ENV, type SecretName } from "../../runtime/env";
import type { Settings } from "../config";
import type { HandlerAccess } from "./access";

/** Resolved values a function's environment may carry. */
export interface EnvironmentRefs {
  readonly tableName: string;
  readonly secretArns: Readonly<Record<SecretName, string>>;
  readonly repliesDeadLetterQueueUrl: string;
  readonly archiveBucket: string;
  /** external_account configs per archive access level: each impersonates its own service account. */
  readonly gcpCredentials: { readonly write: string; readonly read: string };
  /** The outbox function's name, when it is deployed (for access.invokesOutbox). */
  readonly outboxFunctionName?: string;
}

/**
 * A function's environment (names from runtime/env.ts ENV), derived from its declaration: a
 * function is told only about the secrets, queue and archive it may use — BOTFLEET_SECRET_ARNS
 * lists just its own secrets.
 * Values are never secrets themselves (ARNs, names, settings); the whole environment is still
 * encrypted with the data key.
 */
export function functionEnvironment(access: HandlerAccess, settings: Settings, refs: EnvironmentRefs): Record<string, string> {
  // Every function gets the table name and the bot settings: the runtime parses one settings
  // schema in every handler. A name is not a permission; access.ts decides what it may do.
  const env: Record<string, string> = {
    [ENV.mode]: "deployed",
    [ENV.tableName]: refs.tableName,
    [ENV.botRateLimitCapacity]: String(settings.bot.rateLimitCapacity),
    [ENV.botRateLimitRefillPerMinute]: String(settings.bot.rateLimitRefillPerMinute),
    [ENV.botTicketOpensPerHour]: String(settings.bot.ticketOpensPerHour),
    [ENV.conversationTtlMinutes]: String(settings.bot.conversationTtlMinutes),
    [ENV.dedupeTtlHours]: String(settings.bot.dedupeTtlHours),
    [ENV.auditTtlDays]: String(settings.bot.auditTtlDays),
  };
  if (access.secrets.length > 0) {
    env[ENV.secretArns] = JSON.stringify(Object.fromEntries(access.secrets.map((name) => [name, refs.secretArns[name]])));
  }
  if (access.deadLettersReplies) env[ENV.deadLetterQueueUrl] = refs.repliesDeadLetterQueueUrl;
  if (access.archive) {
    env[ENV.archiveBucket] = refs.archiveBucket;
    env[ENV.gcpCredentials] = refs.gcpCredentials[access.archive];
  }
  if (access.verifiesAgentTokens) {
    env[ENV.authIssuer] = settings.auth.issuer;
    env[ENV.authAudience] = settings.auth.audience;
    env[ENV.authJwksUrl] = settings.auth.jwksUrl;
    env[ENV.authRolesClaim] = settings.auth.rolesClaim;
  }
  if (access.invokesOutbox && refs.outboxFunctionName !== undefined) env[ENV.outboxFunction] = refs.outboxFunctionName;
  if (access.sendsFromWhatsappNumber && settings.whatsappPhoneNumberId !== undefined) {
    env[ENV.whatsappPhoneNumberId] = settings.whatsappPhoneNumberId;
  }
  return env;
}

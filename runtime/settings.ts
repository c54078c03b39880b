import { matching, nonEmpty, oneOf, optional, plainObject, readFields, wholeNumber } from "./configChecks";
import { ENV } from "./env";
import { ConfigError } from "./errors";

/**
 * The runtime settings every handler reads once per cold start, parsed from the environment names
 * in env.ts (configChecks.ts). Defaults equal Pulumi.yaml's, so the local stack may leave the
 * tuning values unset.
 */
export interface EntrySettings {
  readonly mode: "deployed" | "local";
  /** Secret name → Secrets Manager ARN (deployed mode; empty in local mode). */
  readonly secretArns: Readonly<Record<string, string>>;
}

/** What the bot's webhook handlers read on top (the table and its tuning values). */
export interface RuntimeSettings extends EntrySettings {
  readonly tableName: string;
  readonly rateLimit: { readonly capacity: number; readonly refillPerMinute: number };
  readonly ticketOpensPerHour: number;
  readonly conversationTtlMinutes: number;
  readonly dedupeTtlHours: number;
}

const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+$/;

const ENTRY_FIELDS = {
  [ENV.mode]: oneOf(["deployed", "local"], 'must be "deployed" or "local"'),
  [ENV.secretArns]: optional(nonEmpty("must be a JSON object of secret name to ARN")),
};

const BOT_FIELDS = {
  [ENV.tableName]: matching(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name", "required: the DynamoDB table name"),
  [ENV.botRateLimitCapacity]: wholeNumber(1, 1000, 10),
  [ENV.botRateLimitRefillPerMinute]: wholeNumber(1, 1000, 6),
  [ENV.botTicketOpensPerHour]: wholeNumber(1, 1000, 5),
  [ENV.conversationTtlMinutes]: wholeNumber(1, 1440, 30),
  [ENV.dedupeTtlHours]: wholeNumber(1, 720, 48),
};

type Env = Readonly<Record<string, string | undefined>>;

/** Mode and secret ARNs (every HTTP entry point); throws a ConfigError naming each bad or missing variable. */
export function parseEntrySettings(env: Env): EntrySettings {
  const read = readFields(env, ENTRY_FIELDS);
  if (!read.ok) throw new ConfigError(`environment: ${read.problems.join("; ")}`);
  const mode = read.values[ENV.mode];
  const arns = read.values[ENV.secretArns];
  if (arns === undefined && mode === "deployed") throw new ConfigError(`environment: ${ENV.secretArns}: required in deployed mode`);
  return Object.freeze({ mode, secretArns: Object.freeze(arns === undefined ? {} : secretArnMap(arns)) });
}

/** BOTFLEET_SECRET_ARNS: a JSON object of secret name to Secrets Manager ARN. */
function secretArnMap(json: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError(`environment: ${ENV.secretArns}: must be a JSON object of secret name to ARN`);
  }
  const map = plainObject("must be a JSON object of secret name to ARN")(value);
  if (!map.ok) throw new ConfigError(`environment: ${ENV.secretArns}: ${map.problem}`);
  const arns: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, arn] of Object.entries(map.value)) {
    if (typeof arn === "string" && SECRET_ARN.test(arn)) arns[name] = arn;
    else problems.push(`${name}: each value must be a Secrets Manager ARN`);
  }
  if (problems.length > 0) throw new ConfigError(`environment: ${ENV.secretArns}: ${problems.join("; ")}`);
  return arns;
}

/** Everything the webhook handlers read; throws a ConfigError naming each bad or missing variable. */
export function parseSettings(env: Env): RuntimeSettings {
  const entry = parseEntrySettings(env);
  const read = readFields(env, BOT_FIELDS);
  if (!read.ok) throw new ConfigError(`environment: ${read.problems.join("; ")}`);
  const values = read.values;
  return Object.freeze({
    ...entry,
    tableName: values[ENV.tableName],
    rateLimit: Object.freeze({
      capacity: values[ENV.botRateLimitCapacity],
      refillPerMinute: values[ENV.botRateLimitRefillPerMinute],
    }),
    ticketOpensPerHour: values[ENV.botTicketOpensPerHour],
    conversationTtlMinutes: values[ENV.conversationTtlMinutes],
    dedupeTtlHours: values[ENV.dedupeTtlHours],
  });
}

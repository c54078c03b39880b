import * as z from "zod/mini";
import { ENV } from "./env";
import { ConfigError } from "./errors";
import { firstUse } from "./firstUse";

/**
 * The runtime settings every handler reads once per cold start, parsed from the environment names
 * in env.ts. Defaults equal Pulumi.yaml's, so the local stack may leave the tuning values unset.
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

/**
 * Decimal digits naming a whole number from `min` to `max`; `fallback` when unset. The range is
 * checked in the transform rather than by z.number().check(z.gte(), z.lte()): half the schemas,
 * built on every cold start (firstUse.ts), same messages.
 */
const wholeNumber = (min: number, max: number, fallback: number) =>
  z._default(
    z.pipe(
      z.string().check(z.regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)),
      z.transform((digits: string, ctx) => {
        const value = Number(digits);
        if (value < min) ctx.issues.push({ code: "custom", message: `must be at least ${min}`, input: digits });
        else if (value > max) ctx.issues.push({ code: "custom", message: `must be at most ${max}`, input: digits });
        return value;
      }),
    ),
    fallback,
  );

const secretArnMap = () =>
  z.pipe(
    z.string(),
    z.transform((value: string, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.issues.push({ code: "custom", message: "must be a JSON object of secret name to ARN", input: value });
        return z.NEVER;
      }
    }),
  );

// Built on first use (firstUse.ts): /health reads only the entry settings, local mode no ARNs.
const arnRecord = firstUse(() =>
  z.record(z.string(), z.string().check(z.regex(/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+$/, "each value must be a Secrets Manager ARN"))),
);

const entrySchema = firstUse(() =>
  z.object({
    [ENV.mode]: z.enum(["deployed", "local"], { error: 'must be "deployed" or "local"' }),
    [ENV.secretArns]: z.optional(secretArnMap()),
  }),
);

const botSchema = firstUse(() =>
  z.object({
    [ENV.tableName]: z.string({ error: "required: the DynamoDB table name" }).check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name")),
    [ENV.botRateLimitCapacity]: wholeNumber(1, 1000, 10),
    [ENV.botRateLimitRefillPerMinute]: wholeNumber(1, 1000, 6),
    [ENV.botTicketOpensPerHour]: wholeNumber(1, 1000, 5),
    [ENV.conversationTtlMinutes]: wholeNumber(1, 1440, 30),
    [ENV.dedupeTtlHours]: wholeNumber(1, 720, 48),
  }),
);

type Env = Readonly<Record<string, string | undefined>>;

/** Mode and secret ARNs (every HTTP entry point); throws a ConfigError naming each bad or missing variable. */
export function parseEntrySettings(env: Env): EntrySettings {
  const parsed = entrySchema().safeParse(env);
  if (!parsed.success) throw new ConfigError(`environment: ${describeIssues(parsed.error.issues)}`);
  const values = parsed.data;
  const mode = values[ENV.mode];
  let secretArns: Record<string, string> = {};
  if (values[ENV.secretArns] !== undefined) {
    const arns = arnRecord().safeParse(values[ENV.secretArns]);
    if (!arns.success) throw new ConfigError(`environment: ${ENV.secretArns}: ${describeIssues(arns.error.issues)}`);
    secretArns = arns.data;
  } else if (mode === "deployed") {
    throw new ConfigError(`environment: ${ENV.secretArns}: required in deployed mode`);
  }
  return Object.freeze({ mode, secretArns: Object.freeze(secretArns) });
}

/** Everything the webhook handlers read; throws a ConfigError naming each bad or missing variable. */
export function parseSettings(env: Env): RuntimeSettings {
  const entry = parseEntrySettings(env);
  const parsed = botSchema().safeParse(env);
  if (!parsed.success) throw new ConfigError(`environment: ${describeIssues(parsed.error.issues)}`);
  const values = parsed.data;
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

function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
}

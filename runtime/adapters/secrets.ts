import { type Check, matching, nonEmpty, readFields } from "../configChecks";
import { LOCAL_SECRET_ENV, type SecretName } from "../env";
import { ConfigError } from "../errors";
import { noteCloudCall } from "./cloudCalls";

/**
 * Secret values, one Secrets Manager secret per platform plus the origin-verify value. Each secret's
 * SecretString is a JSON object with exactly these fields (README "The bot (runtime)" shows them),
 * checked as configuration (configChecks.ts).
 */
export const SECRET_FIELDS = {
  telegram: { webhookSecret: matching(/^[A-Za-z0-9_-]{1,256}$/, "must be 1-256 of A-Z a-z 0-9 _ - (Telegram's rule)"), botToken: nonEmpty() },
  discord: {
    publicKey: matching(/^[0-9a-fA-F]{64}$/, "must be the 64-hex-digit Ed25519 public key"),
    applicationId: matching(/^\d{5,25}$/, "must be the numeric application id"),
    botToken: nonEmpty(),
  },
  slack: { signingSecret: nonEmpty(), botToken: nonEmpty() },
  meta: { appSecret: nonEmpty(), verifyToken: nonEmpty(), accessToken: nonEmpty() },
  origin: { value: matching(/^[\s\S]{16,}$/, "must be at least 16 characters") },
} as const satisfies { readonly [N in SecretName]: Readonly<Record<string, Check<string>>> };

export type Secrets = { readonly [N in SecretName]: { readonly [F in keyof (typeof SECRET_FIELDS)[N]]: string } };

/** Where secret values come from: Secrets Manager when deployed, the environment locally. */
export interface SecretSource {
  /** The secret's value; a ConfigError naming the secret when it is missing or malformed. */
  get<N extends SecretName>(name: N): Promise<Secrets[N]>;
  /** Whether the secret is configured at all (local mode may leave some unset, e.g. the origin lock). */
  has(name: SecretName): boolean;
}

export function parseSecret<N extends SecretName>(name: N, raw: string): Secrets[N] {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(`secret "${name}" is not JSON`);
  }
  // Field names and rules only: the values themselves are never part of the message.
  const read = readFields(json, SECRET_FIELDS[name]);
  if (!read.ok) throw new ConfigError(`secret "${name}": ${read.problems.join("; ")}`);
  return read.values as Secrets[N];
}

/** Fetches a secret's SecretString by ARN (Secrets Manager in deployed mode). */
export type FetchSecretString = (arn: string) => Promise<string | undefined>;

/**
 * Deployed mode: each secret is fetched once per cold start, on first use, and cached (the promise,
 * so concurrent first uses share one call). A failed fetch is not cached, so the next request retries.
 */
export function cachedSecretSource(arns: Readonly<Record<string, string>>, fetch: FetchSecretString): SecretSource {
  const cache = new Map<SecretName, Promise<unknown>>();
  const fetchNoted = (name: SecretName, arn: string) => {
    noteCloudCall({ service: "secretsmanager", action: "GetSecretValue", resource: name });
    return fetch(arn);
  };
  return {
    has: (name) => arns[name] !== undefined,
    get<N extends SecretName>(name: N): Promise<Secrets[N]> {
      let pending = cache.get(name) as Promise<Secrets[N]> | undefined;
      if (pending === undefined) {
        const arn = arns[name];
        pending =
          arn === undefined
            ? Promise.reject(new ConfigError(`secret "${name}": no ARN in BOTFLEET_SECRET_ARNS`))
            : fetchNoted(name, arn).then((raw) => {
                if (raw === undefined) throw new ConfigError(`secret "${name}" has no value yet (set it with put-secret-value)`);
                return parseSecret(name, raw);
              });
        pending = pending.catch((error: unknown) => {
          cache.delete(name);
          throw error;
        });
        cache.set(name, pending);
      }
      return pending;
    },
  };
}

/** Secrets Manager GetSecretValue, with the client built on first use (nothing connects at import). */
export function secretsManagerFetcher(region?: string): FetchSecretString {
  let client: Promise<{ send: (arn: string) => Promise<string | undefined> }> | undefined;
  return async (arn) => {
    client ??= import("@aws-sdk/client-secrets-manager").then(({ SecretsManagerClient, GetSecretValueCommand }) => {
      const sm = new SecretsManagerClient(region === undefined ? {} : { region });
      return { send: async (id: string) => (await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString };
    });
    return (await client).send(arn);
  };
}

/**
 * Local mode: the environment names of runtime/env.ts (LOCAL_SECRET_ENV). A secret counts as configured
 * when its verification value is set; tokens for outbound calls are optional locally ("" when unset).
 */
export function envSecretSource(env: Readonly<Record<string, string | undefined>>): SecretSource {
  const read = (name: string) => {
    const value = env[name];
    return value === undefined || value === "" ? undefined : value;
  };
  const build: { [N in SecretName]: () => Record<string, string | undefined> } = {
    telegram: () => ({ webhookSecret: read(LOCAL_SECRET_ENV.telegramWebhookSecret), botToken: read(LOCAL_SECRET_ENV.telegramBotToken) ?? "local" }),
    discord: () => ({
      publicKey: read(LOCAL_SECRET_ENV.discordPublicKey),
      applicationId: read(LOCAL_SECRET_ENV.discordApplicationId) ?? "00000",
      botToken: read(LOCAL_SECRET_ENV.discordBotToken) ?? "local",
    }),
    slack: () => ({ signingSecret: read(LOCAL_SECRET_ENV.slackSigningSecret), botToken: read(LOCAL_SECRET_ENV.slackBotToken) ?? "local" }),
    meta: () => ({
      appSecret: read(LOCAL_SECRET_ENV.metaAppSecret),
      verifyToken: read(LOCAL_SECRET_ENV.metaVerifyToken),
      accessToken: read(LOCAL_SECRET_ENV.metaAccessToken) ?? "local",
    }),
    origin: () => ({ value: read(LOCAL_SECRET_ENV.originVerifySecret) }),
  };
  const primary: Record<SecretName, string> = {
    telegram: LOCAL_SECRET_ENV.telegramWebhookSecret,
    discord: LOCAL_SECRET_ENV.discordPublicKey,
    slack: LOCAL_SECRET_ENV.slackSigningSecret,
    meta: LOCAL_SECRET_ENV.metaAppSecret,
    origin: LOCAL_SECRET_ENV.originVerifySecret,
  };
  // Each secret's value as last checked, with the fields it was checked from: the environment is read
  // on every get (a test may change it), the fields checked again only when they changed.
  const checked = new Map<SecretName, { readonly fields: string; readonly value: Promise<unknown> }>();
  return {
    has: (name) => read(primary[name]) !== undefined,
    get<N extends SecretName>(name: N): Promise<Secrets[N]> {
      // Local stand-in for GetSecretValue on this secret: recorded for the least-privilege proof.
      noteCloudCall({ service: "secretsmanager", action: "GetSecretValue", resource: name });
      const fields = build[name]();
      const key = JSON.stringify(Object.values(fields));
      const last = checked.get(name);
      if (last?.fields === key) return last.value as Promise<Secrets[N]>;
      const value = check(name, fields);
      // A rejection is handled by each caller; this copy only keeps it for the next get.
      value.catch(() => undefined);
      checked.set(name, { fields: key, value });
      return value;
    },
  };
}

function check<N extends SecretName>(name: N, fields: Record<string, string | undefined>): Promise<Secrets[N]> {
  const missing = Object.entries(fields).filter(([, v]) => v === undefined);
  if (missing.length > 0) {
    return Promise.reject(new ConfigError(`secret "${name}": environment variable(s) for ${missing.map(([k]) => k).join(", ")} not set`));
  }
  try {
    return Promise.resolve(parseSecret(name, JSON.stringify(fields)));
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

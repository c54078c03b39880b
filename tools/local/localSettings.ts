/**
 * The local stack's settings: the environment names of runtime/env.ts, and for every
 * one that is unset a development value generated once and kept in <stateDir>/settings.json (mode
 * 0600, under the gitignored .local/), so webhooks signed and tokens minted in one run stay valid
 * after a restart. `npm start` and `npm run send` read the same file.
 */
import { generateKeyPairSync, type KeyObject, createPrivateKey, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ENV, LOCAL_SECRET_ENV } from "../../runtime/env";

type Env = Readonly<Record<string, string | undefined>>;

/** The JSON kept between runs. Private keys stay here, never in the environment the handlers see. */
const stateSchema = z.object({
  telegramWebhookSecret: z.string(),
  slackSigningSecret: z.string(),
  metaAppSecret: z.string(),
  metaVerifyToken: z.string(),
  discordPrivateKeyJwk: z.record(z.string(), z.string()),
  authPrivateKeyJwk: z.record(z.string(), z.string()),
  authKeyId: z.string(),
});
type State = z.infer<typeof stateSchema>;

export const LOCAL_ISSUER = "http://127.0.0.1/botfleet-local";
export const LOCAL_AUDIENCE = "botfleet-api";

export interface LocalSettings {
  /** Every setting the handlers read, as environment variables (LOCAL_SECRET_ENV + AUTH_*). */
  readonly env: Readonly<Record<string, string>>;
  /** Names whose values were generated (or read from the state file) rather than given. */
  readonly generated: readonly string[];
  /** Signs Discord interactions; absent when DISCORD_PUBLIC_KEY came from the environment. */
  readonly discordPrivateKey?: KeyObject;
  /** Signs agents' JWTs for AUTH_JWKS; absent when AUTH_JWKS came from the environment. */
  readonly tokenKey?: { readonly privateKey: KeyObject; readonly kid: string };
}

const secret = (bytes = 24) => randomBytes(bytes).toString("base64url");

function freshState(): State {
  const discord = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  const auth = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  return {
    telegramWebhookSecret: secret(),
    slackSigningSecret: secret(),
    metaAppSecret: secret(),
    metaVerifyToken: secret(12),
    discordPrivateKeyJwk: discord as Record<string, string>,
    authPrivateKeyJwk: auth as Record<string, string>,
    authKeyId: `local-${secret(6)}`,
  };
}

/** Reads <stateDir>/settings.json or creates it; a corrupt file is an error naming the file (delete it or use --fresh). */
function loadState(stateDir: string): State {
  const file = join(stateDir, "settings.json");
  if (existsSync(file)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      json = undefined;
    }
    const parsed = stateSchema.safeParse(json);
    if (!parsed.success) throw new Error(`${file} is not a botfleet local settings file: delete it or start with --fresh`);
    return parsed.data;
  }
  const state = freshState();
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

export function loadLocalSettings(stateDir: string, given: Env = process.env): LocalSettings {
  const state = loadState(stateDir);
  const env: Record<string, string> = {};
  const generated: string[] = [];
  const pick = (name: string, fallback: () => string) => {
    const value = given[name];
    if (value !== undefined && value !== "") env[name] = value;
    else {
      env[name] = fallback();
      generated.push(name);
    }
  };
  const discordKey = createPrivateKey({ key: state.discordPrivateKeyJwk, format: "jwk" });
  const authKey = createPrivateKey({ key: state.authPrivateKeyJwk, format: "jwk" });

  pick(LOCAL_SECRET_ENV.telegramWebhookSecret, () => state.telegramWebhookSecret);
  pick(LOCAL_SECRET_ENV.slackSigningSecret, () => state.slackSigningSecret);
  pick(LOCAL_SECRET_ENV.metaAppSecret, () => state.metaAppSecret);
  pick(LOCAL_SECRET_ENV.metaVerifyToken, () => state.metaVerifyToken);
  pick(LOCAL_SECRET_ENV.discordPublicKey, () => Buffer.from(String(state.discordPrivateKeyJwk.x), "base64url").toString("hex"));
  pick(ENV.authIssuer, () => LOCAL_ISSUER);
  pick(ENV.authAudience, () => LOCAL_AUDIENCE);
  pick(ENV.authRolesClaim, () => "roles");
  pick(ENV.authJwks, () => {
    const { d: _private, ...publicJwk } = state.authPrivateKeyJwk;
    return JSON.stringify({ keys: [{ ...publicJwk, kid: state.authKeyId, alg: "ES256", use: "sig" }] });
  });
  // Optional ones pass through only when given (the origin lock is off locally unless set).
  for (const name of [
    LOCAL_SECRET_ENV.originVerifySecret,
    LOCAL_SECRET_ENV.telegramBotToken,
    LOCAL_SECRET_ENV.discordApplicationId,
    LOCAL_SECRET_ENV.discordBotToken,
    LOCAL_SECRET_ENV.slackBotToken,
    LOCAL_SECRET_ENV.metaAccessToken,
    // Tuning values (defaults equal Pulumi.yaml's).
    ENV.botRateLimitCapacity,
    ENV.botRateLimitRefillPerMinute,
    ENV.botTicketOpensPerHour,
    ENV.conversationTtlMinutes,
    ENV.dedupeTtlHours,
    ENV.auditTtlDays,
  ]) {
    const value = given[name];
    if (value !== undefined && value !== "") env[name] = value;
  }

  const settings: { -readonly [K in keyof LocalSettings]: LocalSettings[K] } = { env, generated };
  if (generated.includes(LOCAL_SECRET_ENV.discordPublicKey)) settings.discordPrivateKey = discordKey;
  if (generated.includes(ENV.authJwks)) settings.tokenKey = { privateKey: authKey, kid: state.authKeyId };
  return settings;
}

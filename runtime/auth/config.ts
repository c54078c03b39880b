import * as z from "zod/mini";
import { firstUse } from "../firstUse";
import type { JSONWebKeySet } from "jose" with { "resolution-mode": "import" };
import { ENV } from "../env";
import { ConfigError } from "../errors";

/** Where the issuer's public keys come from. */
export type JwksSource = { readonly kind: "remote"; readonly url: URL } | { readonly kind: "local"; readonly keys: JSONWebKeySet };

export interface AuthConfig {
  readonly issuer: string;
  readonly audience: string;
  /** Name of the claim that lists the caller's roles. */
  readonly rolesClaim: string;
  readonly jwks: JwksSource;
}

const nonEmpty = z.string().check(z.trim(), z.minLength(1), z.maxLength(2048));

// Only local mode reads a JWKS from the environment: built on first use (firstUse.ts).
const jwksJson = firstUse(() => {
  const publicJwk = z.looseObject({
    // Asymmetric key types only: an "oct" (shared secret) key next to public keys is how HS256
    // confusion attacks get a foothold, so such a JWKS is refused as configuration.
    kty: z.enum(["RSA", "EC", "OKP"]),
    d: z.optional(z.never()),
  });
  return z.object({ keys: z.array(publicJwk).check(z.minLength(1)) });
});

const authEnv = z.object({
  [ENV.authIssuer]: nonEmpty,
  [ENV.authAudience]: nonEmpty,
  [ENV.authRolesClaim]: z.optional(nonEmpty),
  [ENV.authJwksUrl]: z.optional(nonEmpty),
  [ENV.authJwks]: z.optional(nonEmpty),
});

/** Thrown at cold start when the auth settings are missing or unsafe: the function must not serve. */
export class AuthConfigError extends ConfigError {}

/**
 * Reads the auth settings. Deployed functions must fetch keys over HTTPS from AUTH_JWKS_URL;
 * local mode may instead carry the JWKS JSON in AUTH_JWKS (and may use an http:// URL).
 */
export function readAuthConfig(env: Readonly<Record<string, string | undefined>>, mode: "local" | "deployed"): AuthConfig {
  const parsed = authEnv.safeParse(env);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].join(", ");
    throw new AuthConfigError(`auth settings invalid or missing: ${names}`);
  }
  const settings = parsed.data;
  const base = {
    issuer: settings[ENV.authIssuer],
    audience: settings[ENV.authAudience],
    rolesClaim: settings[ENV.authRolesClaim] ?? "roles",
  };
  const url = settings[ENV.authJwksUrl];
  if (url !== undefined) return { ...base, jwks: { kind: "remote", url: jwksUrl(url, mode) } };
  const json = settings[ENV.authJwks];
  if (mode === "deployed" || json === undefined) {
    throw new AuthConfigError(`${ENV.authJwksUrl} is required${mode === "local" ? ` (or ${ENV.authJwks} in local mode)` : ""}`);
  }
  return { ...base, jwks: { kind: "local", keys: localJwks(json) } };
}

function jwksUrl(raw: string, mode: "local" | "deployed"): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AuthConfigError(`${ENV.authJwksUrl} is not a URL`);
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost";
  if (url.protocol !== "https:" && !(mode === "local" && url.protocol === "http:" && loopback)) {
    throw new AuthConfigError(`${ENV.authJwksUrl} must use https`);
  }
  return url;
}

function localJwks(raw: string): JSONWebKeySet {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AuthConfigError(`${ENV.authJwks} is not JSON`);
  }
  const parsed = jwksJson().safeParse(value);
  if (!parsed.success) throw new AuthConfigError(`${ENV.authJwks} must be a JWKS of public RSA, EC or OKP keys`);
  return parsed.data as JSONWebKeySet;
}

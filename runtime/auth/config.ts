import type { JSONWebKeySet } from "jose" with { "resolution-mode": "import" };
import { optional, readFields, trimmed } from "../configChecks";
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

const AUTH_FIELDS = {
  [ENV.authIssuer]: trimmed(2048),
  [ENV.authAudience]: trimmed(2048),
  [ENV.authRolesClaim]: optional(trimmed(2048)),
  [ENV.authJwksUrl]: optional(trimmed(2048)),
  [ENV.authJwks]: optional(trimmed(2048)),
};

/** Thrown at cold start when the auth settings are missing or unsafe: the function must not serve. */
export class AuthConfigError extends ConfigError {}

/**
 * Reads the auth settings. Deployed functions must fetch keys over HTTPS from AUTH_JWKS_URL;
 * local mode may instead carry the JWKS JSON in AUTH_JWKS (and may use an http:// URL).
 */
export function readAuthConfig(env: Readonly<Record<string, string | undefined>>, mode: "local" | "deployed"): AuthConfig {
  const read = readFields(env, AUTH_FIELDS);
  if (!read.ok) {
    throw new AuthConfigError(`auth settings invalid or missing: ${read.fields.join(", ")}`);
  }
  const settings = read.values;
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

/**
 * AUTH_JWKS (local mode): `{"keys": [...]}` with at least one key, each of an asymmetric type
 * (RSA, EC, OKP) and public: an "oct" (shared secret) key next to public keys is how HS256
 * confusion attacks get a foothold, and a "d" is a private key; either refuses the whole set.
 */
function localJwks(raw: string): JSONWebKeySet {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AuthConfigError(`${ENV.authJwks} is not JSON`);
  }
  const keys = typeof value === "object" && value !== null ? (value as { keys?: unknown }).keys : undefined;
  const isPublicKey = (key: unknown) => {
    if (typeof key !== "object" || key === null || Array.isArray(key)) return false;
    const { kty, d } = key as { kty?: unknown; d?: unknown };
    return (kty === "RSA" || kty === "EC" || kty === "OKP") && d === undefined;
  };
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every(isPublicKey)) throw new AuthConfigError(`${ENV.authJwks} must be a JWKS of public RSA, EC or OKP keys`);
  return { keys } as JSONWebKeySet;
}

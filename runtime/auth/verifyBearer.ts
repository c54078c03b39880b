import type { JWTVerifyGetKey, errors as JoseErrors, jwtVerify as JoseJwtVerify } from "jose" with { "resolution-mode": "import" };
import { type AuthConfig } from "./config";
import { UnauthorizedError } from "../errors";
import { highestRole, type Role } from "./roles";

/** Asymmetric algorithms only: never "none", never HMAC (a public key must not become a secret). */
export const ALLOWED_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;
/** Largest Authorization header value accepted; anything longer is refused before any parsing. */
export const MAX_TOKEN_BYTES = 8 * 1024;
/** Clock skew tolerated on exp/nbf/iat, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 60;

export interface Principal {
  /** The token's `sub`: who acted, as written to audit records. */
  readonly subject: string;
  /** Highest role granted by the roles claim; undefined when it grants none. */
  readonly role: Role | undefined;
}

export type BearerVerifier = (authorization: string | undefined) => Promise<Principal>;

type JwtVerify = typeof JoseJwtVerify;

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * Builds the verifier once per cold start: the remote key set (with its cache) lives as long as the
 * returned function. Token problems raise UnauthorizedError (401); a broken key source (JWKS
 * unreachable, invalid) is not the caller's fault and propagates as a server error. jose and the
 * key set are loaded with the first token that has a JWT's shape (then kept): a request without
 * one is refused before, and a cold start that answers such a request does not load them (~7 ms,
 * measured); a token's first verification loads them exactly as building them upfront would.
 */
export async function createBearerVerifier(config: AuthConfig, now: () => Date = () => new Date()): Promise<BearerVerifier> {
  let jose: Promise<{ keys: JWTVerifyGetKey; jwtVerify: JwtVerify; errors: typeof JoseErrors }> | undefined;
  const loadJose = () =>
    (jose ??= import("./joseVerify.mjs")
      .then(({ createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify }) => ({
        keys:
          config.jwks.kind === "remote"
            ? createRemoteJWKSet(config.jwks.url, { timeoutDuration: 3000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
            : createLocalJWKSet(config.jwks.keys),
        jwtVerify,
        errors,
      }))
      .catch((error: unknown) => {
        jose = undefined;
        throw error;
      }));

  return async (authorization) => {
    if (authorization === undefined) throw new UnauthorizedError("missing bearer token");
    if (authorization.length > MAX_TOKEN_BYTES) throw new UnauthorizedError("token too large");
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) throw new UnauthorizedError("malformed bearer token");
    // jose 6 is ESM-only; this package compiles to CommonJS, so it is loaded with import().
    const { keys, jwtVerify, errors } = await loadJose();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp", "sub"],
        currentDate: now(),
      }));
    } catch (error) {
      // The JOSE code (e.g. ERR_JWT_EXPIRED) is safe to log; the token itself never is.
      if (isTokenFault(error, errors)) throw new UnauthorizedError(`token rejected: ${(error as { code: string }).code}`);
      throw error;
    }
    if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > 256) {
      throw new UnauthorizedError("token has no usable subject");
    }
    return { subject: payload.sub, role: highestRole(payload, config.rolesClaim) };
  };
}

/** JOSE errors caused by the token itself, as opposed to the key source being down or invalid. */
function isTokenFault(error: unknown, errors: typeof JoseErrors): boolean {
  if (!(error instanceof errors.JOSEError)) return false;
  return !(error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid);
}

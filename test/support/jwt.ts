/**
 * Test issuer: real key pairs (RS256, ES256, EdDSA), the public JWKS to configure, and a minting
 * function for bearer tokens. Reusable by the local stack's "ready JWT per role".
 */
import type { JWK, JWTPayload, CryptoKey } from "jose" with { "resolution-mode": "import" };

export type TestAlgorithm = "RS256" | "ES256" | "EdDSA";

export interface TestIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** The public keys as a JWKS document (what AUTH_JWKS holds). */
  readonly jwks: { keys: JWK[] };
  /** Signs `claims` with the issuer's key for `alg`; iss/aud/sub/iat/exp default to valid values. */
  mint(claims?: JWTPayload, options?: { alg?: TestAlgorithm; /** null: no exp claim at all. */ expiresIn?: string | number | null; header?: Record<string, unknown> }): Promise<string>;
  /** The public key for `alg` in SPKI PEM (attackers have it too). */
  publicPem(alg: TestAlgorithm): Promise<string>;
}

export async function createTestIssuer(issuer = "https://issuer.test/", audience = "botfleet-api"): Promise<TestIssuer> {
  const { exportJWK, exportSPKI, generateKeyPair, SignJWT } = await import("jose");
  const algorithms: TestAlgorithm[] = ["RS256", "ES256", "EdDSA"];
  const pairs = new Map<TestAlgorithm, { privateKey: CryptoKey; publicKey: CryptoKey }>();
  const keys: JWK[] = [];
  for (const alg of algorithms) {
    const pair = await generateKeyPair(alg, { extractable: true });
    pairs.set(alg, pair);
    keys.push({ ...(await exportJWK(pair.publicKey)), kid: `test-${alg}`, alg, use: "sig" });
  }
  return {
    issuer,
    audience,
    jwks: { keys },
    async mint(claims = {}, options = {}) {
      const alg = options.alg ?? "ES256";
      const pair = pairs.get(alg);
      if (!pair) throw new Error(`no key for ${alg}`);
      const jwt = new SignJWT({ sub: "agent-1", ...claims })
        .setProtectedHeader({ alg, kid: `test-${alg}`, ...options.header })
        .setIssuer(typeof claims.iss === "string" ? claims.iss : issuer)
        .setAudience(claims.aud ?? audience)
        .setIssuedAt(typeof claims.iat === "number" ? claims.iat : undefined);
      if (options.expiresIn !== null) jwt.setExpirationTime(typeof claims.exp === "number" ? claims.exp : (options.expiresIn ?? "5m"));
      return jwt.sign(pair.privateKey);
    },
    async publicPem(alg) {
      const pair = pairs.get(alg);
      if (!pair) throw new Error(`no key for ${alg}`);
      return exportSPKI(pair.publicKey);
    },
  };
}

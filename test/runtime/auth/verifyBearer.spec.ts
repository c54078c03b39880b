import { strict as assert } from "node:assert";
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { type AddressInfo } from "node:net";
import { readAuthConfig, AuthConfigError, type AuthConfig } from "../../../runtime/auth/config";
import { requireRole } from "../../../runtime/auth/authorize";
import { ForbiddenError, UnauthorizedError } from "../../../runtime/errors";
import { createBearerVerifier, MAX_TOKEN_BYTES, type BearerVerifier } from "../../../runtime/auth/verifyBearer";
import { createTestIssuer, type TestIssuer } from "../../support/jwt";

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe("bearer JWT verification (attack corpus)", () => {
  let issuer: TestIssuer;
  let otherIssuer: TestIssuer;
  let config: AuthConfig;
  let verify: BearerVerifier;

  before(async () => {
    issuer = await createTestIssuer();
    otherIssuer = await createTestIssuer();
    config = readAuthConfig({ AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: issuer.audience, AUTH_JWKS: JSON.stringify(issuer.jwks) }, "local");
    verify = await createBearerVerifier(config);
  });

  const rejected = (header: string | undefined): Promise<void> =>
    assert.rejects(verify(header), (error: unknown) => error instanceof UnauthorizedError && error.status === 401);

  it("accepts a valid token for each allowed algorithm and reads the highest role", async () => {
    for (const alg of ["RS256", "ES256", "EdDSA"] as const) {
      const principal = await verify(`Bearer ${await issuer.mint({ sub: "ann", roles: ["viewer", "agent"] }, { alg })}`);
      assert.deepEqual(principal, { subject: "ann", role: "agent" });
    }
  });

  it("rejects a missing header, another scheme and a malformed token", async () => {
    await rejected(undefined);
    await rejected("");
    await rejected(`Basic ${Buffer.from("a:b").toString("base64")}`);
    await rejected("Bearer not-a-jwt");
    await rejected("Bearer a.b.c");
    await rejected(`Bearer ${b64({ alg: "ES256" })}.${b64({ sub: "x" })}`);
  });

  it("rejects alg none, with and without a signature segment", async () => {
    const payload = b64({ sub: "mallory", iss: issuer.issuer, aud: issuer.audience, exp: nowSeconds() + 300, roles: ["admin"] });
    await rejected(`Bearer ${b64({ alg: "none", typ: "JWT" })}.${payload}.`);
    await rejected(`Bearer ${b64({ alg: "none", typ: "JWT" })}.${payload}.${Buffer.from("x").toString("base64url")}`);
  });

  it("rejects HS256 signed with the issuer's public key as the HMAC secret", async () => {
    for (const alg of ["RS256", "ES256", "EdDSA"] as const) {
      const pem = await issuer.publicPem(alg);
      const header = b64({ alg: "HS256", typ: "JWT", kid: `test-${alg}` });
      const payload = b64({ sub: "mallory", iss: issuer.issuer, aud: issuer.audience, exp: nowSeconds() + 300, roles: ["admin"] });
      const signature = createHmac("sha256", pem).update(`${header}.${payload}`).digest("base64url");
      await rejected(`Bearer ${header}.${payload}.${signature}`);
    }
  });

  it("rejects a token signed by another key with the same kid", async () => {
    await rejected(`Bearer ${await otherIssuer.mint({ roles: ["admin"] })}`);
  });

  it("rejects a token whose signature has one byte changed", async () => {
    const token = await issuer.mint({ roles: ["admin"] }, { alg: "RS256" });
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const bytes = Buffer.from(signature, "base64url");
    bytes[10] = (bytes[10] ?? 0) ^ 0x01;
    await rejected(`Bearer ${header}.${payload}.${bytes.toString("base64url")}`);
  });

  it("rejects a payload swapped under a valid signature (roles escalated after signing)", async () => {
    const token = await issuer.mint({ roles: ["viewer"] });
    const [header, , signature] = token.split(".") as [string, string, string];
    const forged = b64({ sub: "agent-1", iss: issuer.issuer, aud: issuer.audience, exp: nowSeconds() + 300, roles: ["admin"] });
    await rejected(`Bearer ${header}.${forged}.${signature}`);
  });

  it("rejects expired tokens beyond the 60 s tolerance and accepts within it", async () => {
    await rejected(`Bearer ${await issuer.mint({ roles: ["viewer"], exp: nowSeconds() - 120 })}`);
    const withinSkew = await verify(`Bearer ${await issuer.mint({ roles: ["viewer"], exp: nowSeconds() - 30 })}`);
    assert.equal(withinSkew.role, "viewer");
  });

  it("rejects a token without exp or without sub", async () => {
    await rejected(`Bearer ${await issuer.mint({ roles: ["admin"] }, { expiresIn: null })}`);
    await rejected(`Bearer ${await issuer.mint({ roles: ["admin"], sub: undefined })}`);
    await rejected(`Bearer ${await issuer.mint({ roles: ["admin"], sub: "" })}`);
  });

  it("rejects not-yet-valid tokens (nbf beyond tolerance)", async () => {
    await rejected(`Bearer ${await issuer.mint({ roles: ["viewer"], nbf: nowSeconds() + 600 })}`);
  });

  it("rejects the wrong issuer and the wrong audience", async () => {
    await rejected(`Bearer ${await issuer.mint({ roles: ["admin"], iss: "https://evil.test/" })}`);
    await rejected(`Bearer ${await issuer.mint({ roles: ["admin"], aud: "another-api" })}`);
  });

  it("rejects an oversized token before parsing it", async () => {
    const token = await issuer.mint({ roles: ["admin"], padding: "x".repeat(MAX_TOKEN_BYTES) });
    await rejected(`Bearer ${token}`);
  });

  it("grants nothing for missing roles and never reads roles from look-alike claims", async () => {
    const cases: Record<string, unknown>[] = [
      {},
      { role: "admin" },
      { roles: "admin" },
      { roles: { admin: true } },
      { roles: [["admin"]] },
      { realm_access: { roles: ["admin"] } },
      { resource_access: { botfleet: { roles: ["admin"] } } },
      { "https://botfleet/roles": ["admin"] },
      { roles: ["superuser", "ADMIN", "admin "] },
    ];
    for (const claims of cases) {
      const principal = await verify(`Bearer ${await issuer.mint(claims)}`);
      assert.equal(principal.role, undefined, JSON.stringify(claims));
      assert.throws(() => requireRole(principal, "viewer"), (error: unknown) => error instanceof ForbiddenError && error.status === 403);
    }
  });

  it("enforces the role hierarchy viewer < agent < admin", async () => {
    const agent = await verify(`Bearer ${await issuer.mint({ roles: ["agent", "unknown"] })}`);
    requireRole(agent, "viewer");
    requireRole(agent, "agent");
    assert.throws(() => requireRole(agent, "admin"), ForbiddenError);
  });

  it("reads roles from the claim named by AUTH_ROLES_CLAIM only", async () => {
    const custom = await createBearerVerifier({ ...config, rolesClaim: "botfleet_roles" });
    assert.equal((await custom(`Bearer ${await issuer.mint({ botfleet_roles: ["admin"] })}`)).role, "admin");
    assert.equal((await custom(`Bearer ${await issuer.mint({ roles: ["admin"] })}`)).role, undefined);
  });
});

describe("auth settings", () => {
  const base = { AUTH_ISSUER: "https://issuer.test/", AUTH_AUDIENCE: "botfleet-api" };

  it("refuses a JWKS holding a shared-secret (oct) key or a private key", () => {
    assert.throws(() => readAuthConfig({ ...base, AUTH_JWKS: JSON.stringify({ keys: [{ kty: "oct", k: "c2VjcmV0" }] }) }, "local"), AuthConfigError);
    assert.throws(() => readAuthConfig({ ...base, AUTH_JWKS: JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", x: "a", y: "b", d: "c" }] }) }, "local"), AuthConfigError);
  });

  it("requires an https JWKS URL when deployed and refuses inline JWKS there", () => {
    assert.throws(() => readAuthConfig({ ...base, AUTH_JWKS_URL: "http://issuer.test/jwks" }, "deployed"), AuthConfigError);
    assert.throws(() => readAuthConfig({ ...base, AUTH_JWKS: JSON.stringify({ keys: [{ kty: "OKP" }] }) }, "deployed"), AuthConfigError);
    assert.equal(readAuthConfig({ ...base, AUTH_JWKS_URL: "https://issuer.test/jwks" }, "deployed").jwks.kind, "remote");
  });

  it("requires issuer and audience", () => {
    assert.throws(() => readAuthConfig({ AUTH_JWKS_URL: "https://issuer.test/jwks" }, "deployed"), AuthConfigError);
  });
});

describe("remote JWKS", () => {
  let server: Server;
  let fetches = 0;
  let issuer: TestIssuer;
  before(async () => {
    issuer = await createTestIssuer();
    server = createServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(issuer.jwks));
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  });
  after(() => new Promise<void>((done) => server.close(() => done())));

  it("fetches the key set once per verifier and reuses it", async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    const verify = await createBearerVerifier(readAuthConfig({ AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: issuer.audience, AUTH_JWKS_URL: url }, "local"));
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await verify(`Bearer ${await issuer.mint({ roles: ["admin"] })}`)).role, "admin");
    }
    assert.equal(fetches, 1);
  });
});

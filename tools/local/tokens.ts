import type { KeyObject } from "node:crypto";
import type { Role } from "../../runtime/auth/roles";

/** Agents' bearer tokens for the local stack, signed with the key behind the generated AUTH_JWKS. */
export async function mintLocalToken(
  key: { readonly privateKey: KeyObject; readonly kid: string },
  options: { issuer: string; audience: string; rolesClaim: string; role: Role; subject?: string; expiresIn?: string },
): Promise<string> {
  const { SignJWT } = await import("jose");
  return new SignJWT({ [options.rolesClaim]: [options.role] })
    .setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "JWT" })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject ?? `local-${options.role}`)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "12h")
    .sign(key.privateKey);
}

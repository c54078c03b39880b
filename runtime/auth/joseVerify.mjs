/**
 * The part of jose the API uses: verifying a JWT against a JWKS. Loaded with import() by
 * verifyBearer.ts (jose is ESM-only, runtime/ compiles to CommonJS). Naming the four exports here,
 * rather than importing the package's namespace there, lets the bundler leave out the rest of jose
 * (JWE, signing, key generation: ~60 KB whose module every API cold start evaluated).
 * Plain JavaScript (types in joseVerify.d.mts): Node's own loader runs it under every runner,
 * tsx's ESM hook or none (the local stack starts with tsx's CommonJS hook alone).
 */
export { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from "jose";

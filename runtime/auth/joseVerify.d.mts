// Types of joseVerify.mjs (see there).
export { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from "jose";

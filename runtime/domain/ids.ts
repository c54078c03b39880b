import { hash, randomBytes } from "node:crypto";

/** Crockford base32, lower case: no i, l, o, u, so ids survive being read aloud or retyped. */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** 26 characters = 128 bits. */
export const TICKET_ID = /^[0-9a-hjkmnp-tv-z]{26}$/;

/**
 * A ticket id is 128 bits of SHA-256(salt, delivery): unguessable without the user's random salt,
 * and the same on every retry of that delivery, so a retried /ticket can never create a second ticket.
 */
export function ticketIdFor(salt: string, deliveryKey: string): string {
  const digest = hash("sha256", `${salt}\u0000${deliveryKey}`, "buffer");
  return base32(digest.subarray(0, 16));
}

/** 256-bit random salt, hex. */
export function newSalt(): string {
  return randomBytes(32).toString("hex");
}

const REFERENCE_BYTES = 10;
/** Random bytes for references, drawn 64 references at a time (one call into the CSPRNG instead of one per request). */
let referencePool = Buffer.alloc(0);
let referenceOffset = 0;

/** Random id for error references and log correlation: 80 bits, base32. */
export function newReference(): string {
  if (referenceOffset + REFERENCE_BYTES > referencePool.length) {
    referencePool = randomBytes(REFERENCE_BYTES * 64);
    referenceOffset = 0;
  }
  const bytes = referencePool.subarray(referenceOffset, referenceOffset + REFERENCE_BYTES);
  referenceOffset += REFERENCE_BYTES;
  return base32(bytes);
}

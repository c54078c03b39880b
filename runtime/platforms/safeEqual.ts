import { hash, timingSafeEqual } from "node:crypto";

/**
 * Constant-time string equality. Both sides are hashed first so the comparison takes the same
 * time whatever the lengths (timingSafeEqual itself throws on a length mismatch, which leaks it).
 */
export function safeEqual(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = hash("sha256", given, "buffer");
  const b = hash("sha256", expected, "buffer");
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** Constant-time equality of two byte strings of possibly different length. */
export function safeEqualBytes(given: Uint8Array, expected: Uint8Array): boolean {
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}

import * as z from "zod/mini";
import { BadRequestError } from "../errors";
import { firstUse } from "../firstUse";

/** One strict decoder for every body (a decode without `stream` keeps no state between calls), built on first use. */
const utf8 = firstUse(() => new TextDecoder("utf-8", { fatal: true }));

/** Strict UTF-8 JSON; anything else is a 400. */
export function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(utf8().decode(rawBody));
  } catch (error) {
    throw new BadRequestError("body is not UTF-8 JSON", { cause: error });
  }
}

/** Strict UTF-8 JSON → schema; anything else is a 400 (the issue paths are logged, never the input). */
export function parseJsonBody<S extends z.ZodMiniType>(rawBody: Buffer, schema: S): z.infer<S> {
  return parseValue(parseJson(rawBody), schema);
}

/**
 * `value` checked by the schema `schemaOf()` returns, unless `fast` returns the schema's result for
 * it first. `fast` is a hand-written check of the schema's common, valid case: what it accepts the
 * schema accepts too, with a deep-equal result, and anything else it leaves to the schema (undefined),
 * which also words every 400. Hand-written because zod/mini's generic object walk cost a webhook
 * 80–120 µs per request in situ (measured between the store calls of `npm run bench -- webhooks`,
 * against ~10 µs for the check by hand), a tenth of the 1 ms the handler may add to its store calls.
 * Each `fast` sits beside its schema, built from the same patterns, and
 * test/runtime/platforms/fastChecks.spec.ts holds it to the schema over generated payloads.
 */
export function parseValueFast<S extends z.ZodMiniType>(value: unknown, fast: (value: unknown) => z.infer<S> | undefined, schemaOf: () => S): z.infer<S> {
  return fast(value) ?? parseValue(value, schemaOf());
}

/** For the hand-written checks: a JSON object (not null, not an array), as z.object requires. */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
/** For the hand-written checks: a string matching `pattern`, as z.string().check(z.regex(pattern)) requires. */
export const isStringMatching = (value: unknown, pattern: RegExp): value is string => typeof value === "string" && pattern.test(value);
/** For the hand-written checks: what idNumber() accepts (z.int() is a safe integer; its bounds are inside ±2^53). */
export const isIdNumber = (value: unknown): value is number => Number.isSafeInteger(value);

export function parseValue<S extends z.ZodMiniType>(value: unknown, schema: S): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new BadRequestError(`schema mismatch at ${parsed.error.issues.map((i) => i.path.map(String).join(".") || "(root)").join(", ")}`);
  }
  return parsed.data;
}

/**
 * Platform user ids as we key them: digits, letters and a few separators; never `#` (a key delimiter).
 * Like every payload schema of the platforms, built on first use (firstUse.ts): a request refused
 * before its body is read (a bad signature, Meta's GET verification, a Discord PING) builds none.
 */
export const USER_ID = /^[A-Za-z0-9:_.-]{1,80}$/;
export const userIdSchema = firstUse(() => z.string().check(z.regex(USER_ID)));
export const idNumber = firstUse(() => z.number().check(z.int(), z.gte(-(2 ** 53)), z.lte(2 ** 53)));

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
export const userIdSchema = firstUse(() => z.string().check(z.regex(/^[A-Za-z0-9:_.-]{1,80}$/)));
export const idNumber = firstUse(() => z.number().check(z.int(), z.gte(-(2 ** 53)), z.lte(2 ** 53)));

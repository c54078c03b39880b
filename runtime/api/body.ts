import * as z from "zod/mini";
import { BadRequestError } from "../errors";
import { firstUse } from "../firstUse";
import { type HttpRequest } from "../http/entry";

/** Parses the JSON body against `schema`; anything else is a 400 (details to the log only). */
export function parseBody<T>(request: HttpRequest, schema: z.ZodMiniType<T>): T {
  const type = request.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) throw new BadRequestError("content-type must be application/json");
  let value: unknown;
  try {
    value = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    throw new BadRequestError("body is not JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadRequestError(`body: ${issues(parsed.error.issues)}`);
  return parsed.data;
}

/** Parses the query string (single values only) against `schema`. */
export function parseQuery<T>(request: HttpRequest, schema: z.ZodMiniType<T>): T {
  const values: Record<string, string> = {};
  for (const [key, value] of request.query) {
    if (key in values) throw new BadRequestError(`query: ${key.slice(0, 40)} given twice`);
    values[key] = value;
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new BadRequestError(`query: ${issues(parsed.error.issues)}`);
  return parsed.data;
}

/** Path segment ids: tickets and exports use short url-safe ids. Built on first use (firstUse.ts). */
export const resourceId = firstUse(() => z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)));

export function pathId(request: HttpRequest): string {
  const parsed = resourceId().safeParse(request.params.id);
  if (!parsed.success) throw new BadRequestError("path id malformed");
  return parsed.data;
}

/** The rule a client can read in the 400's `detail` (and README's API section). */
export const IDEMPOTENCY_KEY_RULE = "Idempotency-Key must be 8 to 128 characters of A-Z a-z 0-9 _ . : -";

/** Optional client idempotency key (header `Idempotency-Key`). */
export function idempotencyKey(request: HttpRequest): string | undefined {
  const key = request.headers["idempotency-key"];
  if (key === undefined) return undefined;
  if (!/^[A-Za-z0-9_.:-]{8,128}$/.test(key)) throw new BadRequestError("Idempotency-Key malformed", { clientDetail: IDEMPOTENCY_KEY_RULE });
  return key;
}

function issues(list: readonly { path: readonly PropertyKey[]; code?: string }[]): string {
  // Paths and issue codes only: the rejected values themselves never reach the log.
  return list.map((issue) => `${issue.path.map(String).join(".") || "(root)"}:${issue.code ?? "invalid"}`).join("; ");
}

import * as z from "zod/mini";
import { firstUse } from "../firstUse";
import { TABLE } from "../adapters/tableSchema";
import { BadRequestError } from "../errors";

/**
 * List cursors are the Query's LastEvaluatedKey, base64url-encoded. They are not secret, so they
 * are validated rather than signed: exactly the four key attributes, the index partition the
 * caller is listing, and well-formed values — a cursor cannot point a Query anywhere else.
 */
const { byStatus } = TABLE.indexes;
const cursorShape = firstUse(() =>
  z.strictObject({
    [TABLE.partitionKey]: z.string().check(z.regex(/^TICKET#[A-Za-z0-9_-]{1,64}$/)),
    [TABLE.sortKey]: z.literal("TICKET"),
    [byStatus.partitionKey]: z.string().check(z.regex(/^TICKETS#[a-z]{1,16}$/)),
    [byStatus.sortKey]: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9_-]{1,64}$/)),
  }),
);

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key === undefined ? undefined : Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor(cursor: string, partition: string): Record<string, string> {
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new BadRequestError("cursor malformed");
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new BadRequestError("cursor malformed");
  }
  const parsed = cursorShape().safeParse(value);
  if (!parsed.success || parsed.data[byStatus.partitionKey] !== partition) throw new BadRequestError("cursor does not belong to this list");
  return parsed.data;
}

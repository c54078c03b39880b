/**
 * Readers for resource properties as the analyzer hands them over. Properties are plain JSON-like
 * values, except that provider resources' non-string inputs arrive JSON-encoded
 * (`allowedAccountIds: "[\"123456789012\"]"`) and IAM documents may be JSON strings or objects.
 */
export type Props = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a value that may be a JSON-encoded string; returns other values unchanged. */
export function decodeJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  if (!/^[[{"]|^(true|false|null|-?\d)/.test(trimmed)) return value;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return value;
  }
}

/** Follows a path of keys; a list of one object (Terraform's "max items 1" blocks) counts as that object. */
export function field(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (Array.isArray(current) && current.length === 1) current = current[0];
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** A string or a list of strings (either possibly JSON-encoded) as a list. */
export function stringList(value: unknown): string[] {
  const decoded = decodeJson(value);
  if (typeof decoded === "string") return [decoded];
  if (Array.isArray(decoded)) return decoded.filter((v): v is string => typeof v === "string");
  return [];
}

export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** A KMS key reference that names an AWS-managed key (alias/aws/...) is not a customer-managed key. */
export function isCustomerManagedKeyRef(value: unknown): boolean {
  const ref = text(value);
  return ref !== undefined && !/(^|:)alias\/aws\//.test(ref);
}

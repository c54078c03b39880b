import type { Expr, Field } from "../../../infra/cloudflare/expressions";

/**
 * A tiny evaluator of exactly the subset of Cloudflare's Rules language that
 * infra/cloudflare/expressions.ts emits, following Cloudflare's documented semantics:
 * `eq`/`in` exact and case-sensitive, `strict wildcard` case-sensitive with `*` = zero or more of
 * any character (slashes included), `starts_with`, `ip.src in {cidr…}`, header lookups by
 * lower-case name. It evaluates the structured rule, not the rendered text (golden tests pin that).
 */
export interface TestRequest {
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly ip: string;
  readonly version: "HTTP/1.0" | "HTTP/1.1" | "HTTP/2" | "HTTP/3";
  /** Header name (any case) → values. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** The client connection's TLS version as cf.tls_version reports it ("none": plain HTTP); default TLSv1.3. */
  readonly tls?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3" | "none";
}

export function evaluate(expr: Expr, req: TestRequest): boolean {
  switch (expr.kind) {
    case "eq":
      return field(req, expr.field) === expr.value;
    case "in":
      return expr.values.includes(field(req, expr.field));
    case "wildcard":
      return wildcardRegex(expr.pattern).test(field(req, expr.field));
    case "startsWith":
      return field(req, expr.field).startsWith(expr.prefix);
    case "ipIn":
      return expr.cidrs.some((cidr) => inCidr(req.ip, cidr));
    case "headerEq":
      return headerValues(req, expr.name).includes(expr.value);
    case "hasHeader":
      return Object.keys(req.headers).some((name) => name.toLowerCase() === expr.name);
    case "ssl":
      return (req.tls ?? "TLSv1.3") !== "none";
    case "not":
      return !evaluate(expr.expr, req);
    case "and":
      return expr.exprs.every((e) => evaluate(e, req));
    case "or":
      return expr.exprs.some((e) => evaluate(e, req));
  }
}

function field(req: TestRequest, name: Field): string {
  const values: Record<Field, string> = {
    "http.host": req.host,
    "http.request.method": req.method,
    "http.request.uri.path": req.path,
    "http.request.version": req.version,
    "cf.tls_version": req.tls ?? "TLSv1.3",
  };
  return values[name];
}

function headerValues(req: TestRequest, lowerName: string): string[] {
  return Object.entries(req.headers).flatMap(([name, values]) => (name.toLowerCase() === lowerName ? [...values] : []));
}

function wildcardRegex(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = "", bitsText = "32"] = cidr.split("/");
  const bits = Number(bitsText);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const a = ipv4(ip);
  const b = ipv4(base);
  return a !== undefined && b !== undefined && (a & mask) >>> 0 === (b & mask) >>> 0;
}

function ipv4(text: string): number | undefined {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((acc, p) => (acc * 256 + p) >>> 0, 0);
}

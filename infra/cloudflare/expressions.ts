/**
 * A small typed builder for the part of Cloudflare's Rules language the edge uses. Rules are built
 * as data (`Expr`), which tests can inspect and evaluate, and rendered to text in one place.
 *
 * Plan note: the regex operator `matches` needs a Business or Enterprise plan, so nothing here
 * emits it. Path templates with `{param}` segments are matched with `strict wildcard` (all plans,
 * case-sensitive, `*` = zero or more characters) plus two guards that make `*` mean exactly one
 * non-empty segment: the path must not have more `/` than the template (a `/*` pattern one segment
 * longer must not match) and no parameter may be empty. Sources:
 * https://developers.cloudflare.com/ruleset-engine/rules-language/operators/ (matches: "requires a
 * Cloudflare Business or Enterprise plan"; wildcard and strict wildcard carry no such note) and
 * https://developers.cloudflare.com/ruleset-engine/rules-language/functions/ (any, lower, starts_with).
 */

/**
 * Request fields the builder may compare. `cf.tls_version` is the client connection's TLS version
 * ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", or "none" for plain HTTP), all plans
 * (https://developers.cloudflare.com/ruleset-engine/rules-language/fields/reference/cf.tls_version/).
 */
export type Field = "http.host" | "http.request.method" | "http.request.uri.path" | "http.request.version" | "cf.tls_version";

export type Expr =
  | { readonly kind: "eq"; readonly field: Field; readonly value: string }
  | { readonly kind: "in"; readonly field: Field; readonly values: readonly string[] }
  | { readonly kind: "wildcard"; readonly field: Field; readonly pattern: string }
  | { readonly kind: "startsWith"; readonly field: Field; readonly prefix: string }
  /** `ip.src in {…}`: the client address is inside one of the CIDR ranges. */
  | { readonly kind: "ipIn"; readonly cidrs: readonly string[] }
  /** Some value of request header `name` (lower-case) equals `value`. */
  | { readonly kind: "headerEq"; readonly name: string; readonly value: string }
  /** The request carries header `name` (any case), with any value. */
  | { readonly kind: "hasHeader"; readonly name: string }
  /** `ssl`: the client's connection to Cloudflare is encrypted (a Boolean field, all plans). */
  | { readonly kind: "ssl" }
  | { readonly kind: "not"; readonly expr: Expr }
  | { readonly kind: "and"; readonly exprs: readonly Expr[] }
  | { readonly kind: "or"; readonly exprs: readonly Expr[] };

/** Cloudflare refuses longer expressions. */
export const MAX_EXPRESSION_LENGTH = 4096;

export const eq = (field: Field, value: string): Expr => ({ kind: "eq", field, value });
export const oneOf = (field: Field, values: readonly string[]): Expr =>
  values.length === 1 ? eq(field, values[0] as string) : { kind: "in", field, values: [...values] };
export const wildcard = (field: Field, pattern: string): Expr => ({ kind: "wildcard", field, pattern });
export const startsWith = (field: Field, prefix: string): Expr => ({ kind: "startsWith", field, prefix });
export const ipIn = (cidrs: readonly string[]): Expr => ({ kind: "ipIn", cidrs: [...cidrs] });
export const headerEq = (name: string, value: string): Expr => ({ kind: "headerEq", name: name.toLowerCase(), value });
export const hasHeader = (name: string): Expr => ({ kind: "hasHeader", name: name.toLowerCase() });
export const ssl: Expr = { kind: "ssl" };
export const not = (expr: Expr): Expr => ({ kind: "not", expr });
export const and = (...exprs: Expr[]): Expr => (exprs.length === 1 ? (exprs[0] as Expr) : { kind: "and", exprs });
export const or = (...exprs: Expr[]): Expr => (exprs.length === 1 ? (exprs[0] as Expr) : { kind: "or", exprs });

const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAM_SEGMENT = /^\{[A-Za-z][A-Za-z0-9]*\}$/;

/**
 * Matches a route path template (`/api/tickets/{id}`) the way API Gateway does: each `{param}` is
 * exactly one non-empty path segment, everything else literal and case-sensitive.
 */
export function pathTemplate(template: string): Expr {
  const segments = parseTemplate(template);
  const params = segments.flatMap((s, i) => (s.param ? [i] : []));
  if (params.length === 0) return eq("http.request.uri.path", template);
  const render = (emptyAt?: number) => "/" + segments.map((s, i) => (s.param ? (i === emptyAt ? "" : "*") : s.text)).join("/");
  const literalOrWildcard = (pattern: string) => (pattern.includes("*") ? wildcard("http.request.uri.path", pattern) : eq("http.request.uri.path", pattern));
  return and(
    wildcard("http.request.uri.path", render()),
    // One `/` more than the template has: a parameter swallowed a slash.
    not(wildcard("http.request.uri.path", "/*".repeat(segments.length + 1))),
    ...params.map((i) => not(literalOrWildcard(render(i)))),
  );
}

function parseTemplate(template: string): { text: string; param: boolean }[] {
  if (!template.startsWith("/") || template === "/") throw new Error(`route path must start with / and name a resource; got ${JSON.stringify(template)}`);
  return template
    .slice(1)
    .split("/")
    .map((text) => {
      if (PARAM_SEGMENT.test(text)) return { text, param: true };
      if (LITERAL_SEGMENT.test(text)) return { text, param: false };
      throw new Error(
        `route path ${JSON.stringify(template)}: segment ${JSON.stringify(text)} must be {name} or letters, digits and . _ ~ - (no wildcard or regex characters)`,
      );
    });
}

/** Renders an expression as Cloudflare Rules language text. */
export function render(expr: Expr): string {
  switch (expr.kind) {
    case "eq":
      return `${expr.field} eq ${str(expr.value)}`;
    case "in":
      return `${expr.field} in {${expr.values.map(str).join(" ")}}`;
    case "wildcard":
      return `${expr.field} strict wildcard ${str(expr.pattern)}`;
    case "startsWith":
      return `starts_with(${expr.field}, ${str(expr.prefix)})`;
    case "ipIn":
      return `ip.src in {${expr.cidrs.map(cidr).join(" ")}}`;
    case "headerEq":
      return `any(http.request.headers[${str(expr.name)}][*] eq ${str(expr.value)})`;
    case "hasHeader":
      return `any(lower(http.request.headers.names[*])[*] eq ${str(expr.name)})`;
    case "ssl":
      return "ssl";
    case "not":
      return `not ${group(expr.expr)}`;
    case "and":
      return expr.exprs.map(group).join(" and ");
    case "or":
      return expr.exprs.map(group).join(" or ");
  }
}

/** Renders and checks Cloudflare's length limit, naming the rule that is too long. */
export function renderRule(description: string, expr: Expr): string {
  const text = render(expr);
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new Error(`rule "${description}" renders to ${text.length} characters; Cloudflare accepts at most ${MAX_EXPRESSION_LENGTH}`);
  }
  return text;
}

function group(expr: Expr): string {
  // `not` binds tighter than `and`, which binds tighter than `or`: only compound operands need parentheses.
  return expr.kind === "and" || expr.kind === "or" ? `(${render(expr)})` : render(expr);
}

function str(value: string): string {
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new Error(`control characters are not allowed in rule strings: ${JSON.stringify(value)}`);
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function cidr(value: string): string {
  const match = IPV4_CIDR.exec(value);
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const bits = Number(match?.[5]);
  if (!match || octets.some((o) => o > 255) || bits > 32) throw new Error(`not an IPv4 CIDR range: ${JSON.stringify(value)}`);
  return value;
}

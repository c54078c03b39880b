/**
 * Turns a node:http request into the API Gateway HTTP API event (payload format 2.0) a deployed
 * function receives, and its result back into an HTTP response — the same translation API
 * Gateway does in front of Lambda, so the handlers run unchanged locally.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { HttpEvent, HttpResult } from "../../runtime/http/event";
import type { Route } from "../../runtime/routes";

export interface IncomingCall {
  readonly method: string;
  /** Path with query, as on the request line. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly domainName: string;
}

/** The event shape API Gateway sends, beyond the fields the runtime reads (runtime/http/event.ts). */
export interface ApiGatewayEvent extends HttpEvent {
  readonly version: "2.0";
  readonly routeKey: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: string[];
  readonly headers: Record<string, string>;
  readonly queryStringParameters?: Record<string, string>;
  readonly pathParameters?: Record<string, string>;
  readonly body?: string;
  readonly isBase64Encoded: boolean;
  readonly requestContext: HttpEvent["requestContext"] & {
    readonly accountId: "local";
    readonly apiId: "local";
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    readonly requestId: string;
    readonly routeKey: string;
    readonly stage: "$default";
    readonly time: string;
    readonly timeEpoch: number;
  };
}

/** Bodies API Gateway passes as text; everything else is base64 (isBase64Encoded: true). */
const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]*\+json|x-www-form-urlencoded|xml|javascript)\b)/i;

export function toApiGatewayEvent(call: IncomingCall, route: Route, pathParameters: Readonly<Record<string, string>>, requestId: string, now = Date.now()): ApiGatewayEvent {
  const questionMark = call.url.indexOf("?");
  const rawPath = questionMark < 0 ? call.url : call.url.slice(0, questionMark);
  const rawQueryString = questionMark < 0 ? "" : call.url.slice(questionMark + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(call.headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    // API Gateway moves cookies to their own field and joins repeated headers with commas.
    if (lower === "cookie") cookies = (Array.isArray(value) ? value.join("; ") : value).split(/;\s*/).filter((c) => c !== "");
    else headers[lower] = Array.isArray(value) ? value.join(",") : value;
  }
  const query = queryParameters(rawQueryString);
  const text = call.body.length === 0 || TEXT_TYPES.test(headers["content-type"] ?? "");
  const routeKey = `${route.method} ${route.path}`;
  const event: ApiGatewayEvent = {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies === undefined ? {} : { cookies }),
    headers,
    ...(Object.keys(query).length === 0 ? {} : { queryStringParameters: query }),
    ...(Object.keys(pathParameters).length === 0 ? {} : { pathParameters: { ...pathParameters } }),
    ...(call.body.length === 0 ? {} : { body: text ? call.body.toString("utf8") : call.body.toString("base64") }),
    isBase64Encoded: !text,
    requestContext: {
      accountId: "local",
      apiId: "local",
      domainName: call.domainName,
      domainPrefix: call.domainName.split(".")[0] ?? call.domainName,
      http: { method: call.method, path: rawPath, protocol: "HTTP/1.1", sourceIp: call.sourceIp, userAgent: headers["user-agent"] ?? "" },
      requestId,
      routeKey,
      stage: "$default",
      time: apiGatewayTime(now),
      timeEpoch: now,
    },
  };
  return event;
}

/** Repeated query names are joined with commas, as API Gateway does. */
function queryParameters(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(raw)) out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  return out;
}

/** "22/Nov/2026:06:30:00 +0000", API Gateway's requestContext.time format. */
function apiGatewayTime(epochMs: number): string {
  const d = new Date(epochMs);
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** A handler's result as the HTTP response API Gateway would send (base64 bodies decoded, cookies as Set-Cookie). */
export function writeResult(res: ServerResponse, result: HttpResult & { cookies?: readonly string[] }): void {
  const body = result.isBase64Encoded === true ? Buffer.from(result.body, "base64") : Buffer.from(result.body ?? "", "utf8");
  const headers: Record<string, string | string[]> = { ...result.headers, "content-length": String(body.length) };
  if (result.cookies !== undefined && result.cookies.length > 0) headers["set-cookie"] = [...result.cookies];
  res.writeHead(result.statusCode, headers).end(body);
}

/** API Gateway's own answer when no route matches. */
export function writeNotFound(res: ServerResponse): void {
  const body = JSON.stringify({ message: "Not Found" });
  res.writeHead(404, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }).end(body);
}

import type { HttpResult } from "./event";

/** On every response, errors included: these are API responses, never pages to render or frame. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "strict-transport-security": "max-age=63072000; includeSubDomains",
  "referrer-policy": "no-referrer",
});

export function json(statusCode: number, value: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(value),
  };
}

export function text(statusCode: number, body: string): HttpResult {
  return { statusCode, headers: { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" }, body };
}

/** 200 with no body: "received, nothing to say". */
export function empty(): HttpResult {
  return { statusCode: 200, headers: { ...SECURITY_HEADERS }, body: "" };
}

/** The only shape an error ever has: a public message and the reference that is also logged. */
/** `detail`: a fixed rule text of ours for the client (BotfleetError.clientDetail), never request data. */
export function errorResult(statusCode: number, error: string, reference: string, headers: Record<string, string> = {}, detail?: string): HttpResult {
  return json(statusCode, detail === undefined ? { error, reference } : { error, reference, detail }, headers);
}

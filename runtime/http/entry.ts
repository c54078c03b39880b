import { runAsHandler } from "../adapters/cloudCalls";
import type { Logger } from "../adapters/logger";
import { createLogger, errorFields } from "../adapters/logger";
import type { SecretSource } from "../adapters/secrets";
import { newReference } from "../domain/ids";
import { BotfleetError, ForbiddenError, PayloadTooLargeError } from "../errors";
import { type HandlerName, ORIGIN_VERIFY_HEADER, type Route } from "../routes";
import type { EntrySettings } from "../settings";
import { safeEqual } from "../platforms/safeEqual";
import { MAX_BODY_BYTES } from "./bodyLimits";
import { type Deadline, invocationDeadline, type LambdaContext } from "./deadline";
import type { HttpEvent, HttpResult } from "./event";
import { errorResult, SECURITY_HEADERS } from "./respond";
import { matchRoute } from "./router";

/** What every HTTP entry point needs; handlers extend it with their own ports. */
export interface EntryDeps {
  readonly logger: Logger;
  readonly secrets: SecretSource;
  readonly settings: EntrySettings;
}

/** A request that passed size, routing and origin checks; the body is raw bytes, decoded from base64 if needed. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly rawBody: Buffer;
  readonly reference: string;
  readonly logger: Logger;
  /** When API Gateway received the request (epoch ms; requestContext.timeEpoch), for platform deadlines. */
  readonly receivedAt: number;
  /** When this invocation ends (Lambda's remaining time): every budget of the request is taken from it. */
  readonly deadline: Deadline;
}

export type RequestHandler<D> = (deps: D, request: HttpRequest) => Promise<HttpResult>;

/**
 * The shared HTTP layer every handler runs in, in this order: route table (404/405) → body size
 * against the route's limit (413, bodyLimits.ts) → dependencies (500 on a configuration error) →
 * origin lock (403) → the handler.
 * Any error becomes `{error, reference}` with the reference logged beside the error's class;
 * every response carries the security headers.
 */
export function httpEntry<D extends EntryDeps>(
  name: HandlerName,
  loadDeps: () => Promise<D>,
  handle: RequestHandler<D>,
  fallbackLogger: Logger = createLogger({ handler: name }),
): (event: HttpEvent, context?: LambdaContext) => Promise<HttpResult> {
  // The handler's own child of the dependencies' logger, made once per logger rather than per request.
  let named: { readonly of: Logger; readonly logger: Logger } | undefined;
  const handlerLogger = (of: Logger): Logger => {
    if (named?.of !== of) named = { of, logger: of.child({ handler: name }) };
    return named.logger;
  };
  return (event, context) => runAsHandler(name, () => entry(event, context));
  async function entry(event: HttpEvent, context: LambdaContext | undefined): Promise<HttpResult> {
    const started = performance.now();
    const deadline = invocationDeadline(context);
    const reference = newReference();
    let logger = fallbackLogger;
    let result: HttpResult;
    let routeKey = "unmatched";
    try {
      const method = event.requestContext.http.method.toUpperCase();
      const path = event.rawPath ?? event.requestContext.http.path;
      const match = matchRoute(method, path);
      if (match.kind === "methodNotAllowed") {
        result = errorResult(405, "method not allowed", reference, { allow: match.allow.join(", ") });
      } else if (match.kind === "notFound" || match.route.handler !== name) {
        result = errorResult(404, "not found", reference);
      } else {
        routeKey = `${match.route.method} ${match.route.path}`;
        const rawBody = decodeBody(event, MAX_BODY_BYTES[name]);
        const deps = await loadDeps();
        logger = handlerLogger(deps.logger);
        const headers = lowerCaseHeaders(event.headers);
        let query: URLSearchParams | undefined;
        await checkOrigin(deps, headers[ORIGIN_VERIFY_HEADER]);
        result = await handle(deps, {
          method,
          path,
          route: match.route,
          params: match.params,
          headers,
          // Parsed when a handler reads it (Meta's verification, the API's lists), not for every webhook.
          get query() {
            query ??= new URLSearchParams(event.rawQueryString ?? "");
            return query;
          },
          rawBody,
          reference,
          logger: logger.child({ reference }),
          receivedAt: receivedAt(event),
          deadline,
        });
      }
    } catch (error) {
      const known = error instanceof BotfleetError ? error : undefined;
      const status = known?.status ?? 500;
      result = errorResult(status, known?.publicMessage ?? "internal error", reference, {}, known?.clientDetail);
      // The class and our own detail text (never request data) go to the log with the reference.
      const fields = { reference, route: routeKey, status, detail: known?.message, ...errorFields(error) };
      if (status >= 500) logger.error("request failed", fields);
      else logger.warn("request refused", fields);
    }
    result.headers = { ...result.headers, ...SECURITY_HEADERS };
    logger.info("request", { route: routeKey, status: result.statusCode, reference, ms: Math.round((performance.now() - started) * 100) / 100 });
    return result;
  }
}

/** Deployed: the edge's header must match the origin secret. Local: checked only when the secret is set. */
async function checkOrigin(deps: EntryDeps, given: string | undefined): Promise<void> {
  if (deps.settings.mode === "local" && !deps.secrets.has("origin")) return;
  const { value } = await deps.secrets.get("origin");
  if (!safeEqual(given, value)) {
    throw new ForbiddenError("origin-verify header missing or wrong");
  }
}

function decodeBody(event: HttpEvent, maxBytes: number): Buffer {
  const body = event.body ?? "";
  // Cheap bound before decoding: base64 is 4/3 of the bytes, and a UTF-8 character at least one byte.
  if (body.length > (event.isBase64Encoded === true ? Math.ceil((maxBytes * 4) / 3) + 4 : maxBytes)) throw new PayloadTooLargeError(`body of ${body.length} characters`);
  const bytes = event.isBase64Encoded === true ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
  if (bytes.length > maxBytes) throw new PayloadTooLargeError(`body of ${bytes.length} bytes`);
  return bytes;
}

/** API Gateway's receipt time; now when the event has none (a hand-made event). */
function receivedAt(event: HttpEvent): number {
  const epoch = event.requestContext.timeEpoch;
  return typeof epoch === "number" && Number.isFinite(epoch) && epoch > 0 ? epoch : Date.now();
}

function lowerCaseHeaders(headers: HttpEvent["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) if (value !== undefined) out[key.toLowerCase()] = value;
  return out;
}

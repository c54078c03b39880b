/**
 * Errors the HTTP layer maps to status codes. Their messages go to logs only; a client sees the
 * public `error` text and a reference id, never internals.
 */
export class BotfleetError extends Error {
  /** HTTP status the shared HTTP layer answers with. */
  readonly status: number;
  /** Short text safe to show a client. */
  readonly publicMessage: string;
  /** What the client must change, written by us (never echoing request data); answered as `detail`. */
  readonly clientDetail: string | undefined;

  constructor(status: number, publicMessage: string, detail?: string, options?: { cause?: unknown; clientDetail?: string }) {
    super(detail ?? publicMessage, options);
    this.name = new.target.name;
    this.status = status;
    this.publicMessage = publicMessage;
    this.clientDetail = options?.clientDetail;
  }
}

/** The request is malformed or does not match the platform's schema. */
export class BadRequestError extends BotfleetError {
  constructor(detail?: string, options?: { cause?: unknown; clientDetail?: string }) {
    super(400, "bad request", detail, options);
  }
}

/** Missing, forged or stale signature. */
export class UnauthorizedError extends BotfleetError {
  constructor(detail?: string) {
    super(401, "unauthorized", detail);
  }
}

/** The request did not come through the edge (origin lock) or is otherwise refused. */
export class ForbiddenError extends BotfleetError {
  constructor(detail?: string) {
    super(403, "forbidden", detail);
  }
}

export class PayloadTooLargeError extends BotfleetError {
  constructor(detail?: string) {
    super(413, "payload too large", detail);
  }
}

/** A setting or secret is missing or malformed: an operator must fix the deployment. */
export class ConfigError extends BotfleetError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(500, "internal error", detail, options);
  }
}

/** The store failed or throttled: answer 5xx so the platform retries the delivery. */
export class StoreUnavailableError extends BotfleetError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(503, "temporarily unavailable", detail, options);
  }
}

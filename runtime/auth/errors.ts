/** Authentication failed (missing, malformed, forged, expired or foreign token): HTTP 401. */
export class UnauthenticatedError extends Error {
  override readonly name = "UnauthenticatedError";
  readonly status = 401;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Authenticated, but the token's role does not include the one the route needs: HTTP 403. */
export class ForbiddenError extends Error {
  override readonly name = "ForbiddenError";
  readonly status = 403;
  constructor(message: string) {
    super(message);
  }
}

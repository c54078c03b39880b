import { BotfleetError } from "../errors";

/** The ticket or export does not exist (or the caller may not know it does). */
export class NotFoundError extends BotfleetError {
  constructor(detail?: string) {
    super(404, "not found", detail);
  }
}

/** The request is valid but the resource's state does not allow it (e.g. export not done yet). */
export class ConflictError extends BotfleetError {
  constructor(publicMessage: string, detail?: string) {
    super(409, publicMessage, detail);
  }
}

import { ForbiddenError } from "../errors";
import { roleIncludes, type Role } from "./roles";
import { type Principal } from "./verifyBearer";

/** Throws ForbiddenError (403) unless the principal's role includes `required`. */
export function requireRole(principal: Principal, required: Role): void {
  if (!roleIncludes(principal.role, required)) throw new ForbiddenError(`role ${required} required`);
}

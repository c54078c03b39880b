/**
 * Agents' roles, lowest first: each role includes every role before it (viewer < agent < admin).
 * Roles come from ONE claim only (AUTH_ROLES_CLAIM); look-alike claims ("role", "realm_access",
 * nested objects) are never consulted, so a token cannot escalate through an unexpected claim.
 */
export const ROLES = ["viewer", "agent", "admin"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Readonly<Record<Role, number>> = { viewer: 0, agent: 1, admin: 2 };

function isRole(value: unknown): value is Role {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(RANK, value);
}

/**
 * The highest known role listed in `payload[claim]`, which must be an array of strings; any other
 * shape grants nothing. Unknown role names are ignored.
 */
export function highestRole(payload: Readonly<Record<string, unknown>>, claim: string): Role | undefined {
  if (!Object.prototype.hasOwnProperty.call(payload, claim)) return undefined;
  const listed = payload[claim];
  if (!Array.isArray(listed)) return undefined;
  let best: Role | undefined;
  for (const value of listed) {
    if (isRole(value) && (best === undefined || RANK[value] > RANK[best])) best = value;
  }
  return best;
}

/** Whether `granted` includes `required` in the hierarchy. */
export function roleIncludes(granted: Role | undefined, required: Role): boolean {
  return granted !== undefined && RANK[granted] >= RANK[required];
}

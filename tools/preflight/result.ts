/** One preflight check's outcome: a pass/fail line, and for a failure the fix. */
export interface CheckResult {
  readonly id: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What to do about a failure (absent on a pass). */
  readonly fix?: string;
}

export const pass = (id: string, detail: string): CheckResult => ({ id, ok: true, detail });
export const fail = (id: string, detail: string, fix: string): CheckResult => ({ id, ok: false, detail, fix });

/** An API call that failed (refused, unreachable, malformed answer): the check fails with the reason, never a crash. */
export async function guarded(id: string, fix: string, check: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
  try {
    const result = await check();
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    const name = error instanceof Error && error.name !== "Error" ? `${error.name}: ` : "";
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    return [fail(id, `API error: ${name}${message}`, fix)];
  }
}

/** Credentials a cloud's checks need are missing: reported before any check runs (exit 2). */
export class MissingCredentialsError extends Error {
  override name = "MissingCredentialsError";
}

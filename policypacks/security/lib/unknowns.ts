/**
 * Preview unknowns, decided per decision instead of per policy.
 *
 * In `pulumi preview` the engine sends outputs of resources that do not exist yet as unknown
 * sentinels (pulumi/pulumi sdk/go/common/resource/plugin/rpc.go, marshalUnknownProperty: the
 * string "04da6b54-80e4-46f7-96ec-b56ff0331ba9" for strings, one sentinel per kind). @pulumi/policy
 * wraps props in a proxy (proxy.js, unknownCheckingProxy) that throws UnknownValueError on any read
 * of one; its server (server.js) turns that into one advisory "can't run policy during preview"
 * for the whole policy, dropping whatever the policy had already found, and for a stack policy
 * one unknown on any resource drops the whole stack. We keep the proxy (a read of an unknown can
 * never be mistaken for a value) and catch its error per decision: a statement, a property, a
 * resource. Only that decision is deferred to `pulumi up`; every other one is still reported.
 */
// proxy.js is @pulumi/policy's own module (its .d.ts hides the internals): the class its proxy throws.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: never[]) => Error };

/** Prefix of every deferral message: what the gate and a reader look for. */
export const DECIDED_AT_UP = "Decided at `pulumi up`:";

/** The engine's unknown sentinels, one per kind (proxy.js, rpc.go). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

/** A part of a policy's judgement that only `pulumi up` can make. */
export class Deferred {
  constructor(readonly reason: string) {}
}

/** One verdict of a check: a violation message (how to fix it), or a deferral. */
export type Verdict = string | Deferred;

export function isUnknownRead(error: unknown): error is Error & { props: readonly string[] } {
  return error instanceof UnknownValueError || (error instanceof Error && error.constructor.name === "UnknownValueError");
}

export function deferralOf(error: Error & { props: readonly string[] }, what?: string): Deferred {
  const where = what ?? `.${error.props.join(".")}`;
  return new Deferred(`${where} is unknown until the resources it depends on exist; judged again before the change.`);
}

/** Runs one decision; an unknown read defers this decision only. */
export function decide(decision: () => readonly Verdict[], what?: string): Verdict[] {
  try {
    return [...decision()];
  } catch (error) {
    if (isUnknownRead(error)) return [deferralOf(error, what)];
    throw error;
  }
}

/** The same for a decision that awaits (IAM knowledge is read asynchronously). */
export async function decideAsync(decision: () => Promise<readonly Verdict[]> | readonly Verdict[], what?: string): Promise<Verdict[]> {
  try {
    return [...(await decision())];
  } catch (error) {
    if (isUnknownRead(error)) return [deferralOf(error, what)];
    throw error;
  }
}

/** Whether a raw value (not read through the proxy) is an unknown sentinel. */
export function isUnknownValue(value: unknown): boolean {
  return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** The object under @pulumi/policy's proxies (proxy.js getSpecialProxyTarget), to peek without tripping. */
export function rawOf(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const target = (value as Record<string, unknown>)["__getSpecialProxyTarget"];
  return target === undefined ? value : target;
}

/** Whether obj[key] is unknown, read without tripping the proxy. */
export function isUnknownAt(obj: unknown, key: string): boolean {
  const raw = rawOf(obj);
  return typeof raw === "object" && raw !== null && isUnknownValue((raw as Record<string, unknown>)[key]);
}

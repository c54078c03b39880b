/**
 * Checks for configuration: the environment variables the program sets on each function and the
 * fields of the secrets' JSON values, read once per cold start. Deliberately hand-written rather
 * than zod schemas (zod stays the validator of everything a request brings: payloads, bodies,
 * queries): in a fresh process, building and first running zod/mini schemas cost ~6 ms for zod's
 * own code plus ~0.1 ms per schema node (measured in the bundled functions with
 * `npm run bench -- bundles`: the settings, secrets and auth settings took 5–10 ms of a cold start
 * whose whole budget over its SDK floor is 25 ms), while each of these values is a flat string that
 * a pattern or a range decides. Problems name the field and the rule, never the value.
 */

export type CheckResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** A check of one configuration value (`undefined` when it is not set). */
export type Check<T> = (raw: unknown) => CheckResult<T>;

export type Checked<C> = C extends Check<infer T> ? T : never;

const accept = <T>(value: T): CheckResult<T> => ({ ok: true, value });
const refuse = (problem: string): CheckResult<never> => ({ ok: false, problem });

/** A string matching `rule` (anchored by the caller); `problem` says what it must be, `missing` what an unset one lacks. */
export function matching(rule: RegExp, problem: string, missing = "required"): Check<string> {
  return (raw) => {
    if (raw === undefined) return refuse(missing);
    return typeof raw === "string" && rule.test(raw) ? accept(raw) : refuse(problem);
  };
}

/** A string of at least one character. */
export function nonEmpty(problem = "must not be empty"): Check<string> {
  return (raw) => {
    if (raw === undefined) return refuse("required");
    return typeof raw === "string" && raw.length > 0 ? accept(raw) : refuse(problem);
  };
}

/** A string, trimmed, then of 1 to `maxLength` characters. */
export function trimmed(maxLength: number): Check<string> {
  return (raw) => {
    if (raw === undefined) return refuse("required");
    if (typeof raw !== "string") return refuse("must be a string");
    const value = raw.trim();
    return value.length >= 1 && value.length <= maxLength ? accept(value) : refuse(`must be 1 to ${maxLength} characters`);
  };
}

/** One of `values`; an unset value is refused with the same `problem`. */
export function oneOf<const V extends string>(values: readonly V[], problem: string): Check<V> {
  return (raw) => (typeof raw === "string" && (values as readonly string[]).includes(raw) ? accept(raw as V) : refuse(problem));
}

/**
 * Decimal digits naming a whole number from `min` to `max`; `fallback` when unset. Digits first
 * (`1e3`, `-1`, `` are refused as not digits), then the range, each with its own problem.
 */
export function wholeNumber(min: number, max: number, fallback: number): Check<number> {
  return (raw) => {
    if (raw === undefined) return accept(fallback);
    if (typeof raw !== "string" || !/^\d+$/.test(raw)) return refuse(`must be a whole number from ${min} to ${max}`);
    const value = Number(raw);
    if (value < min) return refuse(`must be at least ${min}`);
    if (value > max) return refuse(`must be at most ${max}`);
    return accept(value);
  };
}

/** Unset passes as undefined; a set value must pass `check`. */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (raw) => (raw === undefined ? accept(undefined) : check(raw));
}

/** A JSON object (not an array, not null), taken as it is. */
export function plainObject(problem = "must be an object"): Check<Readonly<Record<string, unknown>>> {
  return (raw) => (typeof raw === "object" && raw !== null && !Array.isArray(raw) ? accept(raw as Record<string, unknown>) : refuse(problem));
}

export type FieldsResult<C extends Readonly<Record<string, Check<unknown>>>> =
  | { readonly ok: true; readonly values: { readonly [K in keyof C]: Checked<C[K]> } }
  /** `problems`: "NAME: problem" per refused field; `fields`: their names. */
  | { readonly ok: false; readonly problems: readonly string[]; readonly fields: readonly string[] };

/**
 * The fields named by `checks`, read from `source` (an environment, or a secret's parsed JSON):
 * all of their values (and nothing else of the source), or one problem per refused field,
 * "NAME: problem", in the order of `checks`. A source that is not an object refuses every field.
 */
export function readFields<C extends Readonly<Record<string, Check<unknown>>>>(source: unknown, checks: C): FieldsResult<C> {
  const record: Readonly<Record<string, unknown>> = typeof source === "object" && source !== null && !Array.isArray(source) ? (source as Record<string, unknown>) : {};
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const fields: string[] = [];
  for (const [name, check] of Object.entries(checks)) {
    // Own properties only: a name like "constructor" must not read Object.prototype.
    const result = check(Object.hasOwn(record, name) ? record[name] : undefined);
    if (result.ok) {
      if (result.value !== undefined) values[name] = result.value;
    } else {
      problems.push(`${name}: ${result.problem}`);
      fields.push(name);
    }
  }
  return problems.length > 0 ? { ok: false, problems, fields } : { ok: true, values: values as { [K in keyof C]: Checked<C[K]> } };
}

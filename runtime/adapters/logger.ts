/**
 * Structured JSON logs, one object per line. Hand-written rather than Powertools Logger: the
 * functions need ~30 lines of it, and keeping it here keeps every bundle free of another dependency.
 *
 * Field values are restricted to scalars and callers pass ids, counts and outcomes only — never
 * tokens, signatures or message text (test/runtime/logging.spec.ts checks a whole run for them).
 */
export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(base: LogFields = {}, sink: LogSink = (line) => process.stdout.write(`${line}\n`)): Logger {
  const write = (level: string, message: string, fields?: LogFields) =>
    sink(JSON.stringify({ level, time: new Date().toISOString(), message, ...base, ...fields }));
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

/** The error's class and, for AWS SDK errors, its name — never its message, which may echo input. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? error.cause.name : undefined;
    return { errorName: error.name, cause };
  }
  return { errorName: typeof error };
}

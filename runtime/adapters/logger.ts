/**
 * Structured JSON logs, one object per line. Hand-written rather than Powertools Logger: the
 * functions need ~30 lines of it, and keeping it here keeps every bundle free of another dependency.
 *
 * Field values are restricted to scalars and callers pass ids, counts and outcomes only — never
 * tokens, signatures or message text (test/runtime/logging.spec.ts checks a whole run for them).
 */
import { writeSync } from "node:fs";

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

/** Writes what it can of `text` at once; the number of bytes written (throws EAGAIN when it cannot write now). */
export type WriteNow = (text: Buffer) => number;

/**
 * Standard output, one line per call, written synchronously to file descriptor 1 (as Node itself
 * writes to it when it is a file; Lambda and the local stack read log lines from it). Not
 * process.stdout first: its first use builds a stream over the descriptor (a socket when it is a
 * pipe), which cost each cold start ~2.5 ms beside the SDK's modules and ~6 ms without them
 * (/health) before its first log line (measured with `npm run bench -- bundles`). When the
 * descriptor does not take a whole line at once (a full non-blocking pipe: EAGAIN, or a partial
 * write), the rest of that line and every later line go through `stream`, which queues them in order.
 */
export function stdoutSink(writeNow: WriteNow = (bytes) => writeSync(1, bytes), stream: () => { write(chunk: Buffer | string): unknown } = () => process.stdout): LogSink {
  let queued = false;
  return (line) => {
    const bytes = Buffer.from(`${line}\n`, "utf8");
    if (!queued) {
      let written = 0;
      try {
        written = writeNow(bytes);
      } catch {
        // EAGAIN (or any refusal): from here on the stream decides, and keeps the order.
      }
      if (written >= bytes.length) return;
      queued = true;
      stream().write(bytes.subarray(written));
      return;
    }
    stream().write(bytes);
  };
}

const defaultSink = stdoutSink();

export function createLogger(base: LogFields = {}, sink: LogSink = defaultSink): Logger {
  return new JsonLogger(base, sink);
}

/** A class, not closures: a child logger per request costs one object. */
class JsonLogger implements Logger {
  constructor(
    private readonly base: LogFields,
    private readonly sink: LogSink,
  ) {}

  info(message: string, fields?: LogFields): void {
    this.write("info", message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write("warn", message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write("error", message, fields);
  }

  child(fields: LogFields): Logger {
    return new JsonLogger({ ...this.base, ...fields }, this.sink);
  }

  private write(level: string, message: string, fields: LogFields | undefined): void {
    this.sink(JSON.stringify({ level, time: new Date().toISOString(), message, ...this.base, ...fields }));
  }
}

/** The error's class and, for AWS SDK errors, its name — never its message, which may echo input. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? error.cause.name : undefined;
    return { errorName: error.name, cause };
  }
  return { errorName: typeof error };
}

/**
 * Every way the gate can fail other than finding a violation. Each is exit code 2 and one line of
 * text naming the flag, file or key; none prints a stack trace. Exit code 1 is kept for mandatory
 * violations alone, so CI can tell a bad deploy from a bad invocation.
 */
export abstract class GateError extends Error {
  readonly exitCode = 2 as const;
}

/** A flag or argument the user must fix. */
export class UsageError extends GateError {
  override name = "UsageError";
}

/** A stack or project file that is missing, malformed, or refused by the program's config checks. */
export class StackConfigError extends GateError {
  override name = "StackConfigError";
}

/** A state file (`pulumi stack export`) that is unreadable or not what the CLI writes. */
export class StackExportError extends GateError {
  override name = "StackExportError";
}

/** A --policy-pack-config file that the engine would refuse. */
export class PackConfigError extends GateError {
  override name = "PackConfigError";
}

/** The program failed under mocks for a reason other than its config (a bug, not the user's input). */
export class ProgramError extends GateError {
  override name = "ProgramError";
}

/** The policy pack did not start, or failed while judging. */
export class PackError extends GateError {
  override name = "PackError";
}

/** Text without the stack frames another process appended to it (a gRPC error's details carry the pack's). */
export function withoutStack(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\s*at /.test(line))
    .join("\n");
}

/** A message on one line: the contract is one line per failure, whatever the cause printed. */
export function oneLine(message: string): string {
  const lines = message
    .split("\n")
    .map((line) => line.trim().replace(/^- /, ""))
    .filter((line) => line !== "");
  return lines.reduce((joined, line) => (joined === "" ? line : `${joined}${joined.endsWith(":") ? " " : "; "}${line}`), "");
}

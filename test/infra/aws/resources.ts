import { type ProgramRun, type RegisteredResource, runProgram } from "../../../tools/program/runUnderMocks";
import type { PolicyDocument, PolicyStatement } from "../../../infra/aws/iamDocument";

/** Helpers for reading a mocked program run in the AWS specs. */

export const STACKS = ["dev", "prod"] as const;

const runs = new Map<string, Promise<ProgramRun>>();

/** One program run per stack, shared by the AWS spec files (a run is plain data; nothing mutates it). */
export function stackRun(stack: (typeof STACKS)[number]): Promise<ProgramRun> {
  let run = runs.get(stack);
  if (!run) {
    run = runProgram(stack);
    runs.set(stack, run);
  }
  return run;
}

export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function one(run: ProgramRun, type: string, name: string): RegisteredResource {
  const found = run.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0] as RegisteredResource;
}

/** Policy inputs are rendered JSON strings: parse them back. */
export function policyOf(value: unknown): PolicyDocument {
  if (typeof value !== "string") throw new Error(`policy is not a JSON string: ${typeof value}`);
  return JSON.parse(value) as PolicyDocument;
}

export function resourcesOf(statement: PolicyStatement): string[] {
  if (statement.Resource === undefined) return [];
  return statement.Resource === "*" ? ["*"] : [...statement.Resource];
}

export function arnPrefix(run: ProgramRun, service: string): string {
  return `arn:aws:${service}:${run.settings.aws.region}:${run.settings.aws.accountId}`;
}

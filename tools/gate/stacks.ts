import * as fs from "node:fs";
import * as path from "node:path";
import { SECURITY_PACK_DIR } from "./buildPack";
import { UsageError } from "./errors";

/**
 * Everything the gate knows about stacks, in one place: which exist, which files hold their
 * config and policy config, and the root stack resource's URN. A stack is data: any name with a
 * `Pulumi.<stack>.yaml` beside Pulumi.yaml is one, and nothing here depends on what it is called.
 */
export const PROJECT = "botfleet";

/** This repository: where Pulumi.yaml and the stack files are unless a caller names another project. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/**
 * A stack name as Pulumi accepts it (sdk/go/common/tokens: ValidateStackName — letters, digits,
 * `-`, `_` and `.`, at most 100 characters). Checked before the name is put into a file name.
 */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function isValidStackName(stack: string): boolean {
  return STACK_NAME.test(stack) && stack !== "." && stack !== "..";
}

/** The stacks set up in the project: one per `Pulumi.<stack>.yaml` (or `.yml`), sorted. */
export function listStacks(projectDir: string = PROJECT_DIR): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(projectDir);
  } catch {
    return [];
  }
  const stacks = names.map((name) => /^Pulumi\.(.+)\.ya?ml$/.exec(name)?.[1]).filter((s): s is string => s !== undefined && isValidStackName(s));
  return [...new Set(stacks)].sort();
}

export function isKnownStack(stack: string, projectDir?: string): boolean {
  return isValidStackName(stack) && listStacks(projectDir).includes(stack);
}

export function stackList(separator = ", ", projectDir?: string): string {
  const stacks = listStacks(projectDir);
  return stacks.length > 0 ? stacks.join(separator) : "(none: add a Pulumi.<stack>.yaml)";
}

/**
 * The stack a flag names, checked: a valid Pulumi stack name whose stack file exists. Otherwise one
 * line naming the flag and listing the stacks that exist (exit 2).
 */
export function checkStack(stack: string, projectDir?: string, flag = "--stack"): string {
  if (!isValidStackName(stack)) {
    throw new UsageError(`${flag} ${JSON.stringify(stack)} is not a stack name (letters, digits, -, _ and . only); stacks: ${stackList(", ", projectDir)}`);
  }
  if (!isKnownStack(stack, projectDir)) {
    throw new UsageError(`${flag} ${JSON.stringify(stack)} has no ${stackFile(stack)}; stacks: ${stackList(", ", projectDir)}`);
  }
  return stack;
}

/** The stack's config file, as `pulumi` reads it and as findings point at it. */
export function stackFile(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/** The default --policy-pack-config file for a stack: config.<stack>.json in the pack's directory. */
export function policyConfigFile(stack: string, packDir: string = SECURITY_PACK_DIR): string {
  return path.join(packDir, `config.${stack}.json`);
}

/**
 * The stack's default policy config, which must exist: a stack without one would be judged with
 * every stack-aware policy unconfigured. Names the file and how to make it (exit 2).
 */
export function requirePolicyConfig(stack: string, packDir?: string): string {
  const file = policyConfigFile(stack, packDir);
  if (!fs.existsSync(file)) {
    const shown = path.relative(process.cwd(), file) || file;
    const template = path.relative(process.cwd(), policyConfigFile("prod", packDir));
    throw new UsageError(`no policy config for stack ${stack}: create ${shown} (copy ${template} and set this stack's accounts, project and zone), or pass --policy-pack-config FILE`);
  }
  return file;
}

/** The root resource the engine registers for every deployment of a stack. */
export function stackUrn(stack: string, project = PROJECT): string {
  return `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
}

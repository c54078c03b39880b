import * as path from "node:path";
import { SECURITY_PACK_DIR } from "./buildPack";

/**
 * Everything the gate knows about stacks, in one place: which exist, which files hold their
 * config and policy config, and the root stack resource's URN.
 */
export const PROJECT = "botfleet";

/**
 * The stacks the program can build (Pulumi.<stack>.yaml beside Pulumi.yaml): the environments
 * infra/config.ts accepts (a test keeps the two equal). Not imported from there: that would load
 * Pulumi for `audit`, which never runs the program.
 */
export const STACKS: readonly string[] = ["dev", "prod"];

export function isKnownStack(stack: string): boolean {
  return STACKS.includes(stack);
}

export function stackList(separator = ", "): string {
  return STACKS.join(separator);
}

/** The stack's config file, as `pulumi` reads it and as findings point at it. */
export function stackFile(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/** The --policy-pack-config file for a stack. */
export function policyConfigFile(stack: string): string {
  return path.join(SECURITY_PACK_DIR, `config.${stack}.json`);
}

/** The root resource the engine registers for every deployment of a stack. */
export function stackUrn(stack: string, project = PROJECT): string {
  return `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
}

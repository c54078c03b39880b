import type { Policy, ResourceValidation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { type GateResource, indexByUrn, makeUrn, toAnalyzeRequest, toAnalyzeStackRequest, violationsOf } from "../../tools/gate/resources";
import { type analyzerPb } from "../../tools/gate/rpc";

/**
 * Drives a policy through the analyzer server's own RPC functions (@pulumi/policy/server), with
 * requests built the way the engine builds them: the same deserialisation, unknown-value proxy,
 * type fast path and violation formatting as `pulumi preview --policy-pack`. Policy config is
 * handed to getConfig the way the server's Configure RPC would.
 */
type RpcFun = (call: { request: unknown }, callback: (err: unknown, response?: unknown) => void) => Promise<void>;
interface ServerModule {
  makeAnalyzeRpcFun(pack: string, version: string, level: string, policies: Policy[]): RpcFun;
  makeAnalyzeStackRpcFun(pack: string, version: string, level: string, policies: Policy[]): RpcFun;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as ServerModule;

export interface TestResource {
  readonly type: string;
  readonly name?: string;
  readonly props: Record<string, unknown>;
  readonly provider?: TestResource & { readonly name: string };
  readonly urn?: string;
}

export interface Finding {
  readonly policy: string;
  readonly level: string;
  readonly urn: string;
  readonly message: string;
}

/** The engine's unknown sentinel and secret wrapping, as a first preview sends them (tools/gate/engineEncoding.ts cites the engine). */
export { secret, UNKNOWN } from "../../tools/gate/engineEncoding";

export const STACK = "test";
export const PROJECT = "policytest";

export function toGateResource(r: TestResource, index = 0): GateResource {
  const name = r.name ?? `r${index}`;
  return {
    urn: r.urn ?? makeUrn(STACK, PROJECT, r.type, name),
    type: r.type,
    name,
    props: r.props,
    provider: r.provider ? (r.provider.urn ?? makeUrn(STACK, PROJECT, r.provider.type, r.provider.name)) : undefined,
  };
}

function resourceWithConfig(policy: ResourceValidationPolicy, config: Record<string, unknown>): ResourceValidationPolicy {
  const validate = policy.validateResource as ResourceValidation;
  const wrapped: ResourceValidation = (args, report) => validate({ ...args, getConfig: <C extends object>() => config as C }, report);
  // Keep the type tag, so the server's "not this type" fast path is exercised as in the real pack.
  Object.assign(wrapped, { __pulumiType: (validate as unknown as { __pulumiType?: string }).__pulumiType });
  return { ...policy, validateResource: wrapped };
}

function stackWithConfig(policy: StackValidationPolicy, config: Record<string, unknown>): StackValidationPolicy {
  const validate = policy.validateStack;
  return { ...policy, validateStack: (args, report) => validate({ ...args, getConfig: <C extends object>() => config as C }, report) };
}

function call(fn: RpcFun, request: unknown): Promise<InstanceType<typeof analyzerPb.AnalyzeResponse>> {
  return new Promise((resolve, reject) => {
    void fn({ request }, (err, response) => (err ? reject(err) : resolve(response as InstanceType<typeof analyzerPb.AnalyzeResponse>)));
  });
}

function findings(response: InstanceType<typeof analyzerPb.AnalyzeResponse>, urn: string): Finding[] {
  return violationsOf(response, urn).map((v) => ({ policy: v.policy, level: v.enforcementLevel, urn: v.urn, message: v.message }));
}

/** Runs one resource policy on one resource (plus its provider, if given). */
export async function analyze(policy: ResourceValidationPolicy, resource: TestResource, config: Record<string, unknown> = {}): Promise<Finding[]> {
  const gate = toGateResource(resource);
  const all = resource.provider ? [gate, toGateResource(resource.provider)] : [gate];
  const fn = server.makeAnalyzeRpcFun("test-pack", "0.0.1", "mandatory", [resourceWithConfig(policy, config)]);
  return findings(await call(fn, toAnalyzeRequest(gate, indexByUrn(all))), gate.urn);
}

/** Runs one resource policy on each of a set of resources, each with its provider, as the engine's Analyze calls do. */
export async function analyzeEach(policy: ResourceValidationPolicy, resources: readonly TestResource[], config: Record<string, unknown> = {}): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const resource of resources) found.push(...(await analyze(policy, resource, config)));
  return found;
}

/** Runs one stack policy on a set of resources. */
export async function analyzeStack(policy: StackValidationPolicy, resources: readonly TestResource[], config: Record<string, unknown> = {}): Promise<Finding[]> {
  const gate = resources.map((r, i) => toGateResource(r, i));
  const fn = server.makeAnalyzeStackRpcFun("test-pack", "0.0.1", "mandatory", [stackWithConfig(policy, config)]);
  return findings(await call(fn, toAnalyzeStackRequest(gate)), "");
}

/** A copy of a baseline with one property changed (undefined deletes it), at any depth. */
export function withProp(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  const keys = path.split(".");
  let target: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
    target = target[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

export function policyNames(found: readonly Finding[]): string[] {
  return [...new Set(found.map((f) => f.policy))];
}

/** Asserts that exactly the named policy reported, and that its message says how to fix it. */
export function expectViolation(found: readonly Finding[], policy: string): void {
  const names = policyNames(found);
  if (names.length !== 1 || names[0] !== policy) {
    throw new Error(`expected a violation of ${policy} only, got ${JSON.stringify(found, null, 1)}`);
  }
  for (const f of found) {
    if (!/\n\S/.test(f.message)) throw new Error(`violation of ${policy} carries no fix: ${f.message}`);
  }
}

/** Asserts that the policy found nothing it could decide, and deferred (advisory, "Decided at `pulumi up`") at least once. */
export function expectDeferredOnly(found: readonly Finding[], policy: string): void {
  if (found.length === 0 || found.some((f) => f.policy !== policy || f.level !== "advisory" || !f.message.includes("Decided at `pulumi up`:"))) {
    throw new Error(`expected only deferrals of ${policy}, got ${JSON.stringify(found, null, 1)}`);
  }
}

/** Mandatory findings only (deferrals are advisory). */
export function mandatory(found: readonly Finding[]): Finding[] {
  return found.filter((f) => f.level === "mandatory");
}

export function expectClean(found: readonly Finding[]): void {
  if (found.length > 0) throw new Error(`expected no violation, got ${JSON.stringify(found, null, 1)}`);
}

/** Runs the whole pack (every resource policy on each resource, every stack policy on the set) with per-policy config, as a deploy would. */
export async function analyzePack(all: readonly Policy[], resources: readonly TestResource[], configs: Record<string, Record<string, unknown>> = {}): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const policy of all) {
    const config = configs[policy.name] ?? {};
    if ("validateStack" in policy && policy.validateStack) found.push(...(await analyzeStack(policy as StackValidationPolicy, resources, config)));
    else for (const r of resources) found.push(...(await analyze(policy as ResourceValidationPolicy, r, config)));
  }
  return found;
}

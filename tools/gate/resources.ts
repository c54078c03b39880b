import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { analyzerPb, structPb } from "./rpc";

/** One resource as the gate judges it: from the program under mocks, or from a stack export. */
export interface GateResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Inputs (plan) or inputs/outputs (audit); provider resources' non-string inputs JSON-encoded. */
  readonly props: Readonly<Record<string, unknown>>;
  /** URN of the provider resource this resource uses, if any. */
  readonly provider?: string;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
}

/** Properties as a protobuf Struct: JSON values only (undefined dropped), as the engine sends them. */
export function toStruct(props: Readonly<Record<string, unknown>>): Struct {
  const cached = structs.get(props);
  if (cached) return cached;
  const struct = structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(props)) as Record<string, never>);
  structs.set(props, struct);
  return struct;
}

// A provider's inputs are sent with every resource it serves, and every resource's twice (Analyze
// and AnalyzeStack): encode each props object once. Props are never mutated after judging starts.
const structs = new WeakMap<object, Struct>();

function options(resource: GateResource): InstanceType<typeof analyzerPb.AnalyzerResourceOptions> {
  // The analyzer reads custom timeouts from every request; the engine always sends them.
  const timeouts = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(0);
  timeouts.setUpdate(0);
  timeouts.setDelete(0);
  const opts = new analyzerPb.AnalyzerResourceOptions();
  opts.setProtect(false);
  opts.setCustomtimeouts(timeouts);
  if (resource.parent) opts.setParent(resource.parent);
  return opts;
}

function providerOf(
  resource: GateResource,
  byUrn: ReadonlyMap<string, GateResource>,
): InstanceType<typeof analyzerPb.AnalyzerProviderResource> | undefined {
  const provider = resource.provider ? byUrn.get(resource.provider) : undefined;
  if (!resource.provider) return undefined;
  const message = new analyzerPb.AnalyzerProviderResource();
  // A provider URN ends with "::<type>::<name>"; the registered provider resource carries its inputs.
  const parts = resource.provider.split("::");
  message.setType(provider?.type ?? parts[parts.length - 2] ?? "");
  message.setName(provider?.name ?? parts[parts.length - 1] ?? "");
  message.setUrn(resource.provider);
  message.setProperties(toStruct(provider?.props ?? {}));
  return message;
}

export function indexByUrn(resources: readonly GateResource[]): Map<string, GateResource> {
  return new Map(resources.map((r) => [r.urn, r]));
}

export function toAnalyzeRequest(
  resource: GateResource,
  byUrn: ReadonlyMap<string, GateResource>,
): InstanceType<typeof analyzerPb.AnalyzeRequest> {
  const request = new analyzerPb.AnalyzeRequest();
  request.setType(resource.type);
  request.setName(resource.name);
  request.setUrn(resource.urn);
  request.setProperties(toStruct(resource.props));
  request.setOptions(options(resource));
  const provider = providerOf(resource, byUrn);
  if (provider) request.setProvider(provider);
  return request;
}

export function toAnalyzerResource(
  resource: GateResource,
  byUrn: ReadonlyMap<string, GateResource>,
): InstanceType<typeof analyzerPb.AnalyzerResource> {
  const message = new analyzerPb.AnalyzerResource();
  message.setType(resource.type);
  message.setName(resource.name);
  message.setUrn(resource.urn);
  message.setProperties(toStruct(resource.props));
  message.setOptions(options(resource));
  if (resource.parent) message.setParent(resource.parent);
  message.setDependenciesList([...(resource.dependencies ?? [])]);
  const provider = providerOf(resource, byUrn);
  if (provider) message.setProvider(provider);
  return message;
}

export function toAnalyzeStackRequest(resources: readonly GateResource[]): InstanceType<typeof analyzerPb.AnalyzeStackRequest> {
  const byUrn = indexByUrn(resources);
  const request = new analyzerPb.AnalyzeStackRequest();
  request.setResourcesList(resources.map((r) => toAnalyzerResource(r, byUrn)));
  return request;
}

/** A violation as the gate reports it (the --json schema). */
export interface Violation {
  readonly pack: string;
  readonly policy: string;
  readonly enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
  readonly urn: string;
  readonly message: string;
}

// Indexed by pulumirpc.EnforcementLevel (ADVISORY = 0, MANDATORY = 1, DISABLED = 2, REMEDIATE = 3).
const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

export function violationsOf(
  response: InstanceType<typeof analyzerPb.AnalyzeResponse>,
  fallbackUrn: string,
): Violation[] {
  return response.getDiagnosticsList().map((d) => ({
    pack: d.getPolicypackname(),
    policy: d.getPolicyname(),
    enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "mandatory",
    urn: d.getUrn() || fallbackUrn,
    message: d.getMessage(),
  }));
}

/** URN the way the engine builds it: urn:pulumi:<stack>::<project>::<parent types$>type::name. */
export function makeUrn(stack: string, project: string, type: string, name: string, parentType?: string): string {
  const qualified = parentType ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

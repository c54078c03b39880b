import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { toAnalyzerProperties } from "./engineEncoding";
import { analyzerPb, structPb } from "./rpc";

/** One resource as the gate judges it: from the program under mocks, or from a stack export. */
export interface GateResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** The id the provider assigned (after `up`, or from a state); undefined in a preview and for components. */
  readonly id?: string;
  /**
   * What Analyze receives: the resource's inputs, in the engine's encoding (unknowns and secrets as
   * engineEncoding.ts defines them). Provider resources' non-string inputs are JSON-encoded strings.
   */
  readonly props: Readonly<Record<string, unknown>>;
  /** What AnalyzeStack receives: the resource's outputs (as a preview computes them, or after up). Defaults to props. */
  readonly outputs?: Readonly<Record<string, unknown>>;
  /** URN of the provider resource this resource uses, if any. */
  readonly provider?: string;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  /** Input property → the URNs that property's value came from. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  /** A custom resource (managed by a provider) rather than a component. */
  readonly custom?: boolean;
  readonly protect?: boolean;
  readonly ignoreChanges?: readonly string[];
  readonly additionalSecretOutputs?: readonly string[];
  readonly aliases?: readonly string[];
  readonly deleteBeforeReplace?: boolean;
  /** Seconds, as in state (`customTimeouts`). */
  readonly customTimeouts?: { readonly create?: number; readonly update?: number; readonly delete?: number };
}

/**
 * Properties as a protobuf Struct, marshalled the way the engine marshals them for an analyzer
 * (engineEncoding.ts: unknowns and secrets kept, resource references flattened, internal keys dropped).
 */
export function toStruct(props: Readonly<Record<string, unknown>>): Struct {
  const cached = structs.get(props);
  if (cached) return cached;
  const struct = structPb.Struct.fromJavaScript(toAnalyzerProperties(props) as Record<string, never>);
  structs.set(props, struct);
  return struct;
}

// A provider's inputs are sent with every resource it serves, and every resource's twice (Analyze
// and AnalyzeStack): encode each props object once. Props are never mutated after judging starts.
const structs = new WeakMap<object, Struct>();

/** The resource options the engine sends with every request (analyzer_plugin.go marshalResourceOptions). */
function options(resource: GateResource): InstanceType<typeof analyzerPb.AnalyzerResourceOptions> {
  // @pulumi/policy reads custom timeouts from every request; the engine always sends them.
  const timeouts = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(resource.customTimeouts?.create ?? 0);
  timeouts.setUpdate(resource.customTimeouts?.update ?? 0);
  timeouts.setDelete(resource.customTimeouts?.delete ?? 0);
  const opts = new analyzerPb.AnalyzerResourceOptions();
  opts.setProtect(resource.protect === true);
  opts.setIgnorechangesList([...(resource.ignoreChanges ?? [])]);
  opts.setAdditionalsecretoutputsList([...(resource.additionalSecretOutputs ?? [])]);
  opts.setAliasesList([...(resource.aliases ?? [])]);
  if (resource.deleteBeforeReplace !== undefined) {
    opts.setDeletebeforereplace(resource.deleteBeforeReplace);
    opts.setDeletebeforereplacedefined(true);
  }
  opts.setCustomtimeouts(timeouts);
  if (resource.parent) opts.setParent(resource.parent);
  return opts;
}

/** The resource's provider with the provider's inputs (the engine sends inputs, also to AnalyzeStack). */
function providerOf(
  resource: GateResource,
  byUrn: ReadonlyMap<string, GateResource>,
): InstanceType<typeof analyzerPb.AnalyzerProviderResource> | undefined {
  if (!resource.provider) return undefined;
  const provider = byUrn.get(resource.provider);
  const message = new analyzerPb.AnalyzerProviderResource();
  // A provider URN ends with "::<type>::<name>"; the registered provider resource carries its inputs.
  const parts = resource.provider.split("::");
  message.setType(provider?.type ?? (parts[2] ?? "").split("$").pop() ?? "");
  message.setName(provider?.name ?? parts.slice(3).join("::"));
  message.setUrn(resource.provider);
  message.setProperties(toStruct(provider?.props ?? {}));
  return message;
}

export function indexByUrn(resources: readonly GateResource[]): Map<string, GateResource> {
  return new Map(resources.map((r) => [r.urn, r]));
}

/** Analyze: one resource's inputs, before its step (step_generator.go analyzeAll). */
export function toAnalyzeRequest(
  resource: GateResource,
  byUrn: ReadonlyMap<string, GateResource>,
): InstanceType<typeof analyzerPb.AnalyzeRequest> {
  return buildAnalyzeRequest(resource, byUrn, true);
}

/** The request, with or without its properties (wire.ts appends them already encoded). */
export function buildAnalyzeRequest(
  resource: GateResource,
  byUrn: ReadonlyMap<string, GateResource>,
  withProperties: boolean,
): InstanceType<typeof analyzerPb.AnalyzeRequest> {
  const request = new analyzerPb.AnalyzeRequest();
  request.setType(resource.type);
  request.setName(resource.name);
  request.setUrn(resource.urn);
  if (withProperties) request.setProperties(toStruct(resource.props));
  request.setOptions(options(resource));
  const provider = providerOf(resource, byUrn);
  if (provider) request.setProvider(provider);
  return request;
}

/** AnalyzeStack's view of one resource: its outputs, parent, dependencies and property dependencies. */
export function toAnalyzerResource(
  resource: GateResource,
  byUrn: ReadonlyMap<string, GateResource>,
): InstanceType<typeof analyzerPb.AnalyzerResource> {
  return buildAnalyzerResource(resource, byUrn, true);
}

export function buildAnalyzerResource(
  resource: GateResource,
  byUrn: ReadonlyMap<string, GateResource>,
  withProperties: boolean,
): InstanceType<typeof analyzerPb.AnalyzerResource> {
  const message = new analyzerPb.AnalyzerResource();
  message.setType(resource.type);
  message.setName(resource.name);
  message.setUrn(resource.urn);
  if (withProperties) message.setProperties(toStruct(resource.outputs ?? resource.props));
  message.setOptions(options(resource));
  if (resource.parent) message.setParent(resource.parent);
  message.setDependenciesList([...(resource.dependencies ?? [])]);
  const propertyDependencies = message.getPropertydependenciesMap();
  for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
    // The engine leaves out properties that depend on nothing.
    if (urns.length === 0) continue;
    const deps = new analyzerPb.AnalyzerPropertyDependencies();
    deps.setUrnsList([...urns]);
    propertyDependencies.set(key, deps);
  }
  const provider = providerOf(resource, byUrn);
  if (provider) message.setProvider(provider);
  return message;
}

/** AnalyzeStack: every resource of the stack, after all steps (step_generator.go AnalyzeResources). */
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

/** Level names indexed by pulumirpc.EnforcementLevel (ADVISORY = 0, MANDATORY = 1, DISABLED = 2, REMEDIATE = 3). */
export const PROTO_LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

/** A diagnostic's pulumirpc.EnforcementLevel by name; a level this gate does not know counts as mandatory. */
export function levelName(level: number): Violation["enforcementLevel"] {
  return PROTO_LEVELS[level] ?? "mandatory";
}

export function violationsOf(
  response: InstanceType<typeof analyzerPb.AnalyzeResponse>,
  fallbackUrn: string,
): Violation[] {
  return response.getDiagnosticsList().map((d) => ({
    pack: d.getPolicypackname(),
    policy: d.getPolicyname(),
    enforcementLevel: levelName(d.getEnforcementlevel()),
    urn: d.getUrn() || fallbackUrn,
    message: d.getMessage(),
  }));
}

/** URN the way the engine builds it: urn:pulumi:<stack>::<project>::<parent types$>type::name. */
export function makeUrn(stack: string, project: string, type: string, name: string, parentType?: string): string {
  const qualified = parentType ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** The name part of a URN (names may themselves contain "::"). */
export function nameOfUrn(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/** The stack and project a URN names. */
export function stackAndProjectOfUrn(urn: string): { stack: string; project: string } | undefined {
  const [head, project, type] = urn.split("::");
  if (!head?.startsWith("urn:pulumi:") || !project || !type) return undefined;
  return { stack: head.slice("urn:pulumi:".length), project };
}

import type { ServiceError } from "@grpc/grpc-js";
import type { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { Value } from "google-protobuf/google/protobuf/struct_pb";
import type { AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { ensurePackBuilt, SECURITY_PACK_DIR } from "./buildPack";
import { type EngineLog, startEngine } from "./engineServer";
import { oneLine, PackError, withoutStack } from "./errors";
import { type EnforcementLevel, type PackConfig, parsePackConfig, type PolicyShape, readPackConfig, reconcilePackConfig, type ReconciledConfig } from "./packConfig";
import { type LaunchedPack, launchPack } from "./packLaunch";
import { type AnalyzerClient, connectPack, type RunningPack, unary, unaryBytes } from "./packProcess";
import type { PrestartedPack } from "./prestart";
import { type GateResource, indexByUrn, levelName, PROTO_LEVELS, toStruct, type Violation } from "./resources";
import { analyzerPb, emptyPb } from "./rpc";
import { stackUrn } from "./stacks";
import { decodeAnalyzeResponse, type Verdict } from "./verdictWire";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "./wire";

/** One pass of judging: the stack, its policy config, and whether it is a preview. */
export interface PassSettings {
  readonly stack: string;
  readonly project: string;
  /** A --policy-pack-config file; none means every policy at its defaults (and the pack's initial config). */
  readonly configFile?: string;
  /** A preview (true, the default) or an update: what ConfigureStack tells the pack. */
  readonly dryRun?: boolean;
  /** The stack's config, as the engine hands it to ConfigureStack. */
  readonly stackConfig?: { readonly values: Readonly<Record<string, string>>; readonly secretKeys: readonly string[] };
  /** Analyze calls in flight at once (default: FED_IN_FLIGHT for a pass, BULK_IN_FLIGHT for judge). */
  readonly concurrency?: number;
}

export interface JudgeInput extends PassSettings {
  readonly resources: readonly GateResource[];
}

/**
 * A pass in progress, fed as the program registers resources — the engine too analyzes each
 * resource when its registration arrives, while the program goes on — and closed with the whole
 * stack (AnalyzeStack).
 */
export interface Pass {
  /** Sends the resource through Analyze (its provider must have been added before it). */
  add(resource: GateResource): void;
  /** Waits for every Analyze, runs AnalyzeStack on `resources` (default: all added), and reports. */
  finish(resources?: readonly GateResource[]): Promise<Judgement>;
}

export interface PolicyInfo extends PolicyShape {
  readonly description: string;
  /** The level the policy ran at: its default, overridden by initial config and the config file. */
  readonly enforcementLevel: EnforcementLevel;
  /** The level the pack declares. */
  readonly defaultEnforcementLevel: EnforcementLevel;
  readonly severity: string;
  /** Judged per resource (Analyze) or on the whole stack (AnalyzeStack). */
  readonly kind: "resource" | "stack";
}

export interface Judgement {
  readonly pack: string;
  readonly version: string;
  readonly policies: readonly PolicyInfo[];
  /** Every diagnostic the pack returned, including its "can't run ... during preview" advisories. */
  readonly violations: readonly Violation[];
  /** URN (the stack's for stack policies) → policies that reported themselves not applicable there. */
  readonly notApplicable: ReadonlyMap<string, ReadonlySet<string>>;
  /** URNs sent through Analyze, in order. */
  readonly analyzed: readonly string[];
  /** The URN stack-policy findings without a resource are reported at. */
  readonly stackUrn: string;
}

const LEVEL_TO_PROTO = {
  advisory: analyzerPb.EnforcementLevel.ADVISORY,
  mandatory: analyzerPb.EnforcementLevel.MANDATORY,
  disabled: analyzerPb.EnforcementLevel.DISABLED,
  remediate: analyzerPb.EnforcementLevel.REMEDIATE,
} as const;
const SEVERITIES = ["", "low", "medium", "high", "critical"];
/**
 * Analyze calls in flight at once. A pass fed while this thread runs the program (plan) reads
 * responses only between the program's own steps: behind a limit of 16 the pack ran out of
 * requests and waited (from the end of the up program to the verdict: 1.0-1.2 s at 16 in flight,
 * 0.7-0.8 s at 64-200, measured), so it allows as many as a stack like ours has resources. A whole
 * set judged at once (audit) keeps the pack busy with 16: with hundreds in flight our pack gained
 * nothing on a 5,000-resource stack (it works on all of them at once), while an empty pack gained
 * ~15% (measured).
 */
const FED_IN_FLIGHT = 256;
const BULK_IN_FLIGHT = 16;
const ANALYZE = "/pulumirpc.Analyzer/Analyze";
const ANALYZE_STACK = "/pulumirpc.Analyzer/AnalyzeStack";

/** A running pack that judges one resource set after another (the pack is started once). */
export interface PackSession {
  readonly pid: number;
  judge(input: JudgeInput): Promise<Judgement>;
  /** Starts a pass; passes run one after another (each Configures the pack for itself). */
  begin(settings: PassSettings): Pass;
  close(): Promise<void>;
}

export interface SessionOptions {
  readonly packDir?: string;
  /** Logs from the pack (its stdout/stderr after the port line, and pulumi.log calls). */
  readonly onLog?: (log: EngineLog) => void;
  /** Called with the pack's process id as soon as it runs. */
  readonly onStart?: (pid: number) => void;
  /** Called with the pack's process id as soon as it is started, before it is ready. */
  readonly onSpawn?: (pid: number) => void;
  /** A pack already started for this session (prestart.ts): used if it is the pack asked for, else stopped. */
  readonly prestarted?: PrestartedPack;
}

/** Builds the pack if stale, starts it the way the engine does (unless it was prestarted), and connects to it. */
export async function openPackSession(options: SessionOptions = {}): Promise<PackSession> {
  const packDir = options.packDir ?? SECURITY_PACK_DIR;
  const onLog = options.onLog ?? (() => undefined);
  const prestarted = options.prestarted?.pack.packDir === packDir ? options.prestarted : undefined;
  if (!prestarted) {
    await options.prestarted?.discard();
    try {
      ensurePackBuilt(packDir);
    } catch (err) {
      throw new PackError(oneLine((err as Error).message));
    }
  }
  const engine = await startEngine(onLog);
  let launched: LaunchedPack;
  if (prestarted) {
    prestarted.relay.forwardTo(engine.address);
    launched = prestarted.pack;
  } else {
    launched = launchPack(packDir, engine.address);
  }
  options.onSpawn?.(launched.pid);
  launched.onLog(onLog);
  const stopEngine = async () => {
    await engine.stop();
    await prestarted?.relay.close();
  };
  let pack: RunningPack;
  try {
    pack = await connectPack(launched);
  } catch (err) {
    await stopEngine();
    throw new PackError(oneLine((err as Error).message));
  }
  options.onStart?.(pack.pid);
  let info: Promise<PackInfo> | undefined;
  // The pack holds one configuration at a time: a pass starts when the one before it has finished.
  let previous: Promise<unknown> = Promise.resolve();
  const begin = (settings: PassSettings): Pass => {
    info ??= packInfo(pack.client);
    const after = previous.catch(() => undefined);
    const pass = startPass(pack.client, info, after, settings);
    previous = pass.done;
    return pass;
  };
  return {
    pid: pack.pid,
    begin,
    judge: async (input) => {
      const pass = begin({ concurrency: BULK_IN_FLIGHT, ...input });
      for (const r of input.resources) pass.add(r);
      return pass.finish(input.resources);
    },
    close: async () => {
      await pack.stop();
      await stopEngine();
    },
  };
}

/**
 * Judges a set of resources with a policy pack over the real pulumirpc.Analyzer protocol, the way
 * `pulumi preview --policy-pack` does: start the pack, read its policies, Configure it with the
 * stack's policy config, ConfigureStack, Analyze every resource, AnalyzeStack the whole set.
 * The pack process is stopped whatever happens.
 */
export async function judge(input: JudgeInput & SessionOptions): Promise<Judgement> {
  const session = await openPackSession(input);
  try {
    return await session.judge(input);
  } finally {
    await session.close();
  }
}

interface PackInfo {
  readonly name: string;
  readonly version: string;
  readonly policies: readonly (PolicyShape & { description: string; defaultEnforcementLevel: EnforcementLevel; severity: string; kind: "resource" | "stack" })[];
  readonly initialConfig: PackConfig;
}

async function packInfo(client: AnalyzerClient): Promise<PackInfo> {
  const info = await unary<Empty, AnalyzerInfo>(client, client.getAnalyzerInfo, new emptyPb.Empty());
  const policies = info.getPoliciesList().map((p) => {
    const level = levelName(p.getEnforcementlevel());
    return {
      name: p.getName(),
      description: p.getDescription(),
      enforcementLevel: level,
      defaultEnforcementLevel: level,
      severity: SEVERITIES[p.getSeverity()] ?? "",
      kind: p.getPolicyType() === analyzerPb.PolicyType.POLICY_TYPE_STACK ? ("stack" as const) : ("resource" as const),
      configSchema: schemaOf(p.getConfigschema()),
    };
  });
  const initialConfig = new Map<string, { enforcementLevel?: EnforcementLevel; properties: Record<string, unknown> }>();
  info.getInitialconfigMap().forEach((config, name) => {
    initialConfig.set(name, {
      // An unset level is 0, ADVISORY: the engine reads an initial config entry that sets only
      // properties as advisory too (analyzer_plugin.go convertPolicyConfig).
      enforcementLevel: PROTO_LEVELS[config.getEnforcementlevel()] ?? "advisory",
      properties: (config.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
    });
  });
  return { name: info.getName(), version: info.getVersion(), policies, initialConfig };
}

function startPass(client: AnalyzerClient, info: Promise<PackInfo>, after: Promise<unknown>, settings: PassSettings): Pass & { done: Promise<unknown> } {
  const configured = (async () => {
    await after;
    const pack = await info;
    const fromFile: PackConfig = settings.configFile === undefined ? new Map() : parsePackConfig(readPackConfig(settings.configFile), pack.policies, settings.configFile);
    const config = reconcilePackConfig(pack.policies, pack.initialConfig, fromFile, settings.configFile);
    // Always Configure: the pack keeps its config between calls, so an earlier pass's must go.
    await unary(client, client.configure, configureRequest(config));
    const stackRequest = new analyzerPb.AnalyzerStackConfigureRequest();
    stackRequest.setStack(settings.stack);
    stackRequest.setProject(settings.project);
    stackRequest.setDryRun(settings.dryRun ?? true);
    for (const [key, value] of Object.entries(settings.stackConfig?.values ?? {})) stackRequest.getConfigMap().set(key, value);
    stackRequest.setConfigSecretKeysList([...(settings.stackConfig?.secretKeys ?? [])]);
    await unary(client, client.configureStack, stackRequest);
    return { pack, config };
  })().catch((err: unknown) => {
    // The pack gone or failing before any resource: a failure of the pack, like one during Analyze.
    throw isServiceError(err) ? new PackError(`policy pack failed while being configured: ${oneLine(withoutStack(err.details || err.message))}`) : err;
  });
  // The next pass starts once this one has finished (or could not even be configured).
  let markDone!: () => void;
  const done = new Promise<void>((resolve) => (markDone = resolve));
  configured.catch(markDone);
  const limit = limiter(settings.concurrency ?? FED_IN_FLIGHT);
  const added: GateResource[] = [];
  const byUrn = new Map<string, GateResource>();
  const responses: Promise<[string, Verdict]>[] = [];
  const add = (resource: GateResource): void => {
    added.push(resource);
    byUrn.set(resource.urn, resource);
    // Encoded now, while the provider it names is the one registered so far, and while the pack is
    // busy with what came before: encoded later, the requests of a pass that waits for the previous
    // one would all be encoded at once while the pack has nothing to do.
    // A failure rejects the request (reported when the pass finishes), never the program registering it.
    const request = new Promise<Buffer>((resolve) => resolve(encodeAnalyzeRequest(resource, byUrn)));
    request.catch(() => undefined);
    const response = limit(() =>
      Promise.all([request, configured]).then(([bytes]) =>
        unaryBytes(client, ANALYZE, bytes, (answer) => decodeAnalyzeResponse(answer, resource.urn)).catch((err: unknown) => {
          throw isServiceError(err) ? new PackError(`policy pack failed on ${resource.urn}: ${oneLine(withoutStack(err.details || err.message))}`) : err;
        }),
      ),
    ).then((r): [string, Verdict] => [resource.urn, r]);
    response.catch(() => undefined);
    responses.push(response);
  };
  let finished: Promise<Judgement> | undefined;
  const finish = (resources: readonly GateResource[] = added): Promise<Judgement> =>
    (finished ??= (async () => {
      const all = indexByUrn(resources);
      // Encoded before waiting for the pack, for the same reason as each Analyze request.
      const stackRequest = encodeAnalyzeStackRequest(resources, all);
      const { pack, config } = await configured;
      const violations: Violation[] = [];
      const notApplicable = new Map<string, Set<string>>();
      const record = (verdict: Verdict, urn: string): void => {
        // The engine attributes a finding to the resource it names if that is in the stack, else to the root stack.
        violations.push(...verdict.violations.map((v) => (all.has(v.urn) ? v : { ...v, urn })));
        if (verdict.notApplicable.length > 0) notApplicable.set(urn, new Set(verdict.notApplicable));
      };
      for (const [urn, response] of await Promise.all(responses)) record(response, urn);
      const root = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? stackUrn(settings.stack, settings.project);
      const stackResponse = await unaryBytes(client, ANALYZE_STACK, stackRequest, (answer) => decodeAnalyzeResponse(answer, root)).catch((err: unknown) => {
        throw isServiceError(err) ? new PackError(`policy pack failed on the stack: ${oneLine(withoutStack(err.details || err.message))}`) : err;
      });
      record(stackResponse, root);
      const policies = pack.policies.map((p): PolicyInfo => ({ ...p, enforcementLevel: config.get(p.name)?.enforcementLevel ?? p.defaultEnforcementLevel }));
      return { pack: pack.name, version: pack.version, policies, violations: sortViolations(violations), notApplicable, analyzed: added.map((r) => r.urn), stackUrn: root };
    })());
  return { add, finish: (resources) => finish(resources).finally(markDone), done };
}

/** Runs tasks with at most `size` of them in flight. */
function limiter(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (inFlight >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight++;
    try {
      return await task();
    } finally {
      inFlight--;
      waiting.shift()?.();
    }
  };
}

function configureRequest(config: ReconciledConfig): InstanceType<typeof analyzerPb.ConfigureAnalyzerRequest> {
  const request = new analyzerPb.ConfigureAnalyzerRequest();
  const map = request.getPolicyconfigMap();
  for (const [name, entry] of config) {
    const policyConfig = new analyzerPb.PolicyConfig();
    policyConfig.setEnforcementlevel(LEVEL_TO_PROTO[entry.enforcementLevel]);
    policyConfig.setProperties(toStruct(entry.properties));
    map.set(name, policyConfig);
  }
  return request;
}

function schemaOf(schema: InstanceType<typeof analyzerPb.PolicyConfigSchema> | undefined): PolicyShape["configSchema"] {
  if (!schema) return undefined;
  const properties = schema.getProperties()?.toJavaScript() as Record<string, Value.AsObject> | undefined;
  return { properties: (properties ?? {}) as NonNullable<PolicyShape["configSchema"]>["properties"], required: schema.getRequiredList() };
}

function sortViolations(violations: Violation[]): Violation[] {
  return violations.sort((a, b) => a.policy.localeCompare(b.policy) || a.urn.localeCompare(b.urn) || a.message.localeCompare(b.message));
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === "number" && "details" in err;
}

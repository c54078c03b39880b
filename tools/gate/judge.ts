import type { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { Value } from "google-protobuf/google/protobuf/struct_pb";
import type { AnalyzeRequest, AnalyzeResponse, AnalyzerInfo, AnalyzeStackRequest } from "@pulumi/pulumi/proto/analyzer_pb";
import { ensurePackBuilt, SECURITY_PACK_DIR } from "./buildPack";
import { type EngineLog, startEngine } from "./engineServer";
import { type PackConfig, parsePackConfig, type PolicyShape, readPackConfig } from "./packConfig";
import { type AnalyzerClient, type RunningPack, startPack, unary } from "./packProcess";
import { type GateResource, indexByUrn, toStruct, toAnalyzeRequest, toAnalyzeStackRequest, type Violation, violationsOf } from "./resources";
import { analyzerPb, emptyPb } from "./rpc";

export interface JudgeInput {
  readonly stack: string;
  readonly project: string;
  readonly resources: readonly GateResource[];
  /** A --policy-pack-config file; none means every policy at its default (mandatory) level. */
  readonly configFile?: string;
  /** Resources analyzed at once (the engine analyzes a step's resources concurrently too). */
  readonly concurrency?: number;
}

export interface PolicyInfo extends PolicyShape {
  readonly description: string;
  readonly enforcementLevel: string;
  readonly severity: string;
}

export interface Judgement {
  readonly pack: string;
  readonly policies: readonly PolicyInfo[];
  readonly violations: readonly Violation[];
}

const LEVEL_TO_PROTO = {
  advisory: analyzerPb.EnforcementLevel.ADVISORY,
  mandatory: analyzerPb.EnforcementLevel.MANDATORY,
  disabled: analyzerPb.EnforcementLevel.DISABLED,
  remediate: analyzerPb.EnforcementLevel.REMEDIATE,
} as const;
const LEVEL_NAMES = ["advisory", "mandatory", "disabled", "remediate"];
const SEVERITIES = ["", "low", "medium", "high", "critical"];

/** A running pack that judges one resource set after another (the pack is started once). */
export interface PackSession {
  readonly pid: number;
  judge(input: JudgeInput): Promise<Judgement>;
  close(): Promise<void>;
}

export interface SessionOptions {
  readonly packDir?: string;
  /** Logs from the pack (its stdout/stderr after the port line, and pulumi.log calls). */
  readonly onLog?: (log: EngineLog) => void;
  /** Called with the pack's process id as soon as it runs. */
  readonly onStart?: (pid: number) => void;
}

/** Builds the pack if stale, starts it the way the engine does, and connects to it. */
export async function openPackSession(options: SessionOptions = {}): Promise<PackSession> {
  const packDir = options.packDir ?? SECURITY_PACK_DIR;
  const onLog = options.onLog ?? (() => undefined);
  ensurePackBuilt(packDir);
  const engine = await startEngine(onLog);
  let pack: RunningPack;
  try {
    pack = await startPack(packDir, engine.address, onLog);
  } catch (err) {
    await engine.stop();
    throw err;
  }
  options.onStart?.(pack.pid);
  return {
    pid: pack.pid,
    judge: (input) => analyzeWith(pack.client, input),
    close: async () => {
      await pack.stop();
      await engine.stop();
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

async function analyzeWith(client: AnalyzerClient, input: JudgeInput): Promise<Judgement> {
  const info = await unary<Empty, AnalyzerInfo>(client, client.getAnalyzerInfo, new emptyPb.Empty());
  const policies = info.getPoliciesList().map(
    (p): PolicyInfo => ({
      name: p.getName(),
      description: p.getDescription(),
      enforcementLevel: LEVEL_NAMES[p.getEnforcementlevel()] ?? "mandatory",
      severity: SEVERITIES[p.getSeverity()] ?? "",
      configSchema: schemaOf(p.getConfigschema()),
    }),
  );
  // Always Configure: the pack keeps its config between calls, so an earlier judgement's must go.
  const config: PackConfig = input.configFile === undefined ? new Map() : parsePackConfig(readPackConfig(input.configFile), policies, input.configFile);
  await unary(client, client.configure, configureRequest(config));
  const stackRequest = new analyzerPb.AnalyzerStackConfigureRequest();
  stackRequest.setStack(input.stack);
  stackRequest.setProject(input.project);
  stackRequest.setDryRun(true);
  await unary(client, client.configureStack, stackRequest);

  const byUrn = indexByUrn(input.resources);
  const violations: Violation[] = [];
  const queue = [...input.resources];
  const worker = async (): Promise<void> => {
    for (let r = queue.shift(); r !== undefined; r = queue.shift()) {
      const response = await unary<AnalyzeRequest, AnalyzeResponse>(client, client.analyze, toAnalyzeRequest(r, byUrn));
      violations.push(...violationsOf(response, r.urn));
    }
  };
  await Promise.all(Array.from({ length: input.concurrency ?? 16 }, worker));
  const stackUrn = `urn:pulumi:${input.stack}::${input.project}::pulumi:pulumi:Stack::${input.project}-${input.stack}`;
  const stackResponse = await unary<AnalyzeStackRequest, AnalyzeResponse>(client, client.analyzeStack, toAnalyzeStackRequest(input.resources));
  violations.push(...violationsOf(stackResponse, stackUrn));
  return { pack: info.getName(), policies, violations: sortViolations(violations) };
}

function configureRequest(config: PackConfig): InstanceType<typeof analyzerPb.ConfigureAnalyzerRequest> {
  const request = new analyzerPb.ConfigureAnalyzerRequest();
  const map = request.getPolicyconfigMap();
  for (const [name, entry] of config) {
    const policyConfig = new analyzerPb.PolicyConfig();
    policyConfig.setEnforcementlevel(LEVEL_TO_PROTO[entry.enforcementLevel ?? "mandatory"]);
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

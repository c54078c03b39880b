import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { ensurePackBuilt, SECURITY_PACK_DIR } from "./buildPack";
import { type EngineLog, startEngine } from "./engineServer";
import { errorFrom, oneLine, PackError } from "./errors";
import type { FromAnalyzer, ToAnalyzer } from "./judgeWorker";
import type { EnforcementLevel, PolicyShape } from "./packConfig";
import { type LaunchedPack, launchPack } from "./packLaunch";
import type { PrestartedPack } from "./prestart";
import type { GateResource, Violation } from "./resources";

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
  /** Analyze calls in flight at once (the engine analyzes a step's resources concurrently too). */
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

/** The analyzer thread's entry (judgeWorker.ts, through the gate's TypeScript hook). */
const ANALYZER_THREAD = path.join(__dirname, "judgeWorker.cjs");

/**
 * Builds the pack if stale, starts it the way the engine does (unless it was prestarted), and
 * talks to it from an analyzer thread of its own (judgeWorker.ts).
 */
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
  let pack: LaunchedPack;
  if (prestarted) {
    prestarted.relay.forwardTo(engine.address);
    pack = prestarted.pack;
  } else {
    pack = launchPack(packDir, engine.address);
  }
  options.onSpawn?.(pack.pid);
  pack.onLog(onLog);
  const stopEngine = async () => {
    await engine.stop();
    await prestarted?.relay.close();
  };
  let port: number;
  try {
    port = await pack.port;
  } catch (err) {
    await stopEngine();
    throw new PackError(oneLine((err as Error).message));
  }
  options.onStart?.(pack.pid);

  const thread = new Worker(ANALYZER_THREAD, { workerData: { address: `127.0.0.1:${port}` } });
  const waiting = new Map<number, { resolve: (judgement: Judgement) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  let closing = false;
  thread.on("message", (message: FromAnalyzer) => {
    const waiter = waiting.get(message.pass);
    waiting.delete(message.pass);
    if (message.op === "judged") waiter?.resolve(message.judgement);
    else waiter?.reject(errorFrom(message.error));
  });
  thread.on("error", (error) => failAll(new PackError(`the gate's analyzer thread failed: ${oneLine(error.message)}`)));
  thread.on("exit", () => {
    if (!closing) failAll(new PackError("the gate's analyzer thread stopped"));
  });
  const send = (message: ToAnalyzer) => thread.postMessage(message);
  let passes = 0;
  const begin = (settings: PassSettings): Pass => {
    const pass = passes++;
    send({ op: "begin", pass, settings });
    let finished: Promise<Judgement> | undefined;
    return {
      add: (resource) => send({ op: "add", pass, resource }),
      finish: (resources) =>
        (finished ??= new Promise<Judgement>((resolve, reject) => {
          waiting.set(pass, { resolve, reject });
          send({ op: "finish", pass, ...(resources ? { resources } : {}) });
        })),
    };
  };
  return {
    pid: pack.pid,
    begin,
    judge: async (input) => {
      const pass = begin(input);
      for (const r of input.resources) pass.add(r);
      return pass.finish(input.resources);
    },
    close: async () => {
      closing = true;
      await thread.terminate();
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


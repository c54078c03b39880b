import type { ServiceError } from "@grpc/grpc-js";
import { type ChildProcess, spawn } from "node:child_process";
import type { EngineLog } from "./engineServer";
import { analyzerGrpc, grpc, RUN_POLICY_PACK } from "./rpc";

export type AnalyzerClient = InstanceType<typeof analyzerGrpc.AnalyzerClient>;

export interface RunningPack {
  readonly client: AnalyzerClient;
  readonly pid: number;
  /** Stops the pack process (SIGTERM, then SIGKILL) and waits until it has exited. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const MAX_MESSAGE = 400 * 1024 * 1024;
const running = new Set<ChildProcess>();

/** Whatever happens to this process, no pack it started outlives it. */
function killAll(): void {
  for (const child of running) child.kill("SIGKILL");
}
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
}

/**
 * Starts a policy pack exactly as the Pulumi engine does: `node <run-policy-pack> <engine-addr> .`
 * with the pack directory as cwd; the pack prints its port on the first stdout line. Anything else
 * it prints, and what it logs through the engine, goes to `onLog`; `onSpawn` hears of the process as
 * soon as it exists (it takes a second or more to print its port).
 */
export function startPack(packDir: string, engineAddress: string, onLog: (log: EngineLog) => void, onSpawn?: (pid: number) => void): Promise<RunningPack> {
  hookExit();
  const child = spawn(process.execPath, [RUN_POLICY_PACK, engineAddress, "."], {
    cwd: packDir,
    env: { ...process.env, PULUMI_NODEJS_ENGINE: engineAddress },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  onSpawn?.(child.pid ?? -1);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => running.delete(child));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
      await exited;
      clearTimeout(timer);
    }
  };

  return new Promise<RunningPack>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let started = false;
    const fail = (reason: string): void => {
      if (started) return;
      started = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`policy pack in ${packDir} did not start: ${reason}${stderr ? `\n${stderr.trim()}` : ""}`)));
    };
    const timer = setTimeout(() => fail(`no port printed within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      if (started) for (const line of chunk.split("\n").filter(Boolean)) onLog({ severity: "error", message: line, urn: "" });
    });
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (started) {
        for (const line of chunk.split("\n").filter(Boolean)) onLog({ severity: "info", message: line, urn: "" });
        return;
      }
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      const port = Number(stdout.slice(0, newline).trim());
      if (!Number.isInteger(port) || port <= 0) return fail(`first stdout line is not a port: ${JSON.stringify(stdout.slice(0, newline))}`);
      started = true;
      clearTimeout(timer);
      const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": MAX_MESSAGE,
        "grpc.max_send_message_length": MAX_MESSAGE,
      });
      resolve({
        client,
        pid: child.pid ?? -1,
        stop: async () => {
          client.close();
          await stop();
        },
      });
    });
    child.once("error", (err) => fail(err.message));
    child.once("exit", (code, signal) => fail(`exited with ${signal ?? `code ${code}`}`));
  });
}

/** Calls one unary analyzer method and resolves with its response. */
export function unary<Req, Res>(client: AnalyzerClient, method: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => unknown, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, (err: ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)));
  });
}

/**
 * Calls one unary analyzer method with a request already in its wire form (wire.ts) and decodes
 * the response with the generated message class.
 */
export function unaryBytes<Res>(client: AnalyzerClient, method: string, request: Buffer, decode: (bytes: Uint8Array) => Res): Promise<Res> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => decode(bytes),
      request,
      (err: ServiceError | null, res?: Res) => (err || res === undefined ? reject(err ?? new Error(`${method} returned nothing`)) : resolve(res)),
    );
  });
}

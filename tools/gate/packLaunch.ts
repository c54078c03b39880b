import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { EngineLog } from "./engineServer";

/** Path of the launcher the Pulumi engine runs a Node.js policy pack with. */
export const RUN_POLICY_PACK = createRequire(require.resolve("@pulumi/pulumi")).resolve("@pulumi/pulumi/cmd/run-policy-pack");

const START_TIMEOUT_MS = 60_000;
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

/** A pack process that has been started; its gRPC port comes once it has loaded. */
export interface LaunchedPack {
  readonly pid: number;
  readonly packDir: string;
  /** The port the pack printed on its first stdout line; rejects if it exits or stalls before. */
  readonly port: Promise<number>;
  /** Where the pack's later output goes (its stdout/stderr after the port line); earlier lines are kept for it. */
  onLog(listener: (log: EngineLog) => void): void;
  /** Stops the process (SIGTERM, then SIGKILL) and waits until it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts a policy pack exactly as the Pulumi engine does: `node <run-policy-pack> <engine-addr> .`
 * with the pack directory as cwd; the pack prints its port on the first stdout line. This module
 * loads no gRPC: the gate starts the pack first thing (it takes a second or more to load), and
 * connects to it once its own modules have loaded.
 */
export function launchPack(packDir: string, engineAddress: string): LaunchedPack {
  hookExit();
  const child = spawn(process.execPath, [RUN_POLICY_PACK, engineAddress, "."], {
    cwd: packDir,
    env: { ...process.env, PULUMI_NODEJS_ENGINE: engineAddress },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
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

  let listener: ((log: EngineLog) => void) | undefined;
  const held: EngineLog[] = [];
  const emit = (log: EngineLog) => (listener ? listener(log) : held.push(log));

  const port = new Promise<number>((resolve, reject) => {
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
      if (started) for (const line of chunk.split("\n").filter(Boolean)) emit({ severity: "error", message: line, urn: "" });
    });
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (started) {
        for (const line of chunk.split("\n").filter(Boolean)) emit({ severity: "info", message: line, urn: "" });
        return;
      }
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      const printed = Number(stdout.slice(0, newline).trim());
      if (!Number.isInteger(printed) || printed <= 0) return fail(`first stdout line is not a port: ${JSON.stringify(stdout.slice(0, newline))}`);
      started = true;
      clearTimeout(timer);
      for (const line of stdout.slice(newline + 1).split("\n").filter(Boolean)) emit({ severity: "info", message: line, urn: "" });
      resolve(printed);
    });
    child.once("error", (err) => fail(err.message));
    child.once("exit", (code, signal) => fail(`exited with ${signal ?? `code ${code}`}`));
  });
  port.catch(() => undefined);

  return {
    pid: child.pid ?? -1,
    packDir,
    port,
    onLog: (next) => {
      listener = next;
      for (const log of held.splice(0)) next(log);
    },
    stop,
  };
}

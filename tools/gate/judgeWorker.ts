import { parentPort, workerData } from "node:worker_threads";
import { passRunner } from "./analyzerPasses";
import type { Judgement, Pass, PassSettings } from "./judge";
import { analyzerClient } from "./packProcess";
import type { GateResource } from "./resources";

/** What the session (judge.ts) asks of its analyzer thread. */
export type ToAnalyzer =
  | { readonly op: "begin"; readonly pass: number; readonly settings: PassSettings }
  | { readonly op: "add"; readonly pass: number; readonly resource: GateResource }
  | { readonly op: "finish"; readonly pass: number; readonly resources?: readonly GateResource[] };

/** Its answers: a pass judged, or why not (the error's class name and message). */
export type FromAnalyzer =
  | { readonly op: "judged"; readonly pass: number; readonly judgement: Judgement }
  | { readonly op: "failed"; readonly pass: number; readonly error: { readonly name: string; readonly message: string } };

/**
 * The gate's analyzer thread: the engine's side of the protocol (analyzerPasses.ts) over a gRPC
 * client of its own. On the main thread, requests and responses would wait while the program runs
 * (a run keeps that thread busy for most of a second), and the pack would idle.
 */
function serve(port: NonNullable<typeof parentPort>, address: string): void {
  const runner = passRunner(analyzerClient(address));
  const passes = new Map<number, Pass>();
  const answer = (message: FromAnalyzer) => port.postMessage(message);
  port.on("message", (message: ToAnalyzer) => {
    if (message.op === "begin") {
      passes.set(message.pass, runner.begin(message.settings));
      return;
    }
    const pass = passes.get(message.pass);
    if (!pass) return answer({ op: "failed", pass: message.pass, error: { name: "Error", message: `no pass ${message.pass} in the analyzer thread` } });
    if (message.op === "add") return pass.add(message.resource);
    passes.delete(message.pass);
    pass.finish(message.resources).then(
      (judgement) => answer({ op: "judged", pass: message.pass, judgement }),
      (error: unknown) => answer({ op: "failed", pass: message.pass, error: { name: error instanceof Error ? error.name : "Error", message: error instanceof Error ? error.message : String(error) } }),
    );
  });
}

if (parentPort) serve(parentPort, (workerData as { address: string }).address);

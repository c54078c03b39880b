import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { emptyPb, engineGrpc, enginePb, grpc } from "./rpc";

export interface EngineLog {
  readonly severity: "debug" | "info" | "warning" | "error";
  readonly message: string;
  readonly urn: string;
}

type Engine = { address: string; stop(): Promise<void> };
type Handler<Req, Res> = (call: { request: Req }, callback: (err: Error | null, res?: Res) => void) => void;

const SEVERITIES = ["debug", "info", "warning", "error"] as const;

/**
 * The few pulumirpc.Engine calls a policy pack makes: it logs (pulumi.log.*, and the launcher's
 * report of an uncaught error) and reads/sets the root resource. Logs go to `onLog`.
 */
export async function startEngine(onLog: (log: EngineLog) => void): Promise<Engine> {
  const server = new grpc.Server();
  let root = "";
  const log: Handler<InstanceType<typeof enginePb.LogRequest>, InstanceType<typeof emptyPb.Empty>> = (call, callback) => {
    onLog({ severity: SEVERITIES[call.request.getSeverity()] ?? "info", message: call.request.getMessage(), urn: call.request.getUrn() });
    callback(null, new emptyPb.Empty());
  };
  const getRoot: Handler<unknown, InstanceType<typeof enginePb.GetRootResourceResponse>> = (_call, callback) => {
    const response = new enginePb.GetRootResourceResponse();
    response.setUrn(root);
    callback(null, response);
  };
  const setRoot: Handler<InstanceType<typeof enginePb.SetRootResourceRequest>, InstanceType<typeof enginePb.SetRootResourceResponse>> = (call, callback) => {
    root = call.request.getUrn();
    callback(null, new enginePb.SetRootResourceResponse());
  };
  const unsupported: Handler<unknown, never> = (_call, callback) => callback(Object.assign(new Error("not supported by the offline gate"), { code: grpc.status.UNIMPLEMENTED }));
  server.addService(engineGrpc.EngineService, {
    log,
    getRootResource: getRoot,
    setRootResource: setRoot,
    startDebugging: unsupported,
    requirePulumiVersion: (_call: unknown, callback: (err: Error | null, res?: unknown) => void) => callback(null, new enginePb.RequirePulumiVersionResponse()),
  } as unknown as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

import type { ServiceError } from "@grpc/grpc-js";
import type { LaunchedPack } from "./packLaunch";
import { analyzerGrpc, grpc } from "./rpc";

export type AnalyzerClient = InstanceType<typeof analyzerGrpc.AnalyzerClient>;

export interface RunningPack {
  readonly client: AnalyzerClient;
  readonly pid: number;
  /** Stops the pack process (SIGTERM, then SIGKILL) and waits until it has exited. */
  stop(): Promise<void>;
}

const MAX_MESSAGE = 400 * 1024 * 1024;

/** Connects to a launched pack once it has printed its port. */
export async function connectPack(launched: LaunchedPack): Promise<RunningPack> {
  const port = await launched.port;
  const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": MAX_MESSAGE,
    "grpc.max_send_message_length": MAX_MESSAGE,
  });
  return {
    client,
    pid: launched.pid,
    stop: async () => {
      client.close();
      await launched.stop();
    },
  };
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

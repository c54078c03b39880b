import * as net from "node:net";

/** A loopback address that forwards every connection to the engine server once that exists. */
export interface EngineRelay {
  /** Where the pack is told the engine is. */
  readonly address: string;
  /** Connections made so far (and later ones) go to `target` (host:port). */
  forwardTo(target: string): void;
  close(): Promise<void>;
}

/**
 * The address a pack gets on its command line before the gate's gRPC engine server is up: a plain
 * TCP relay (net only, no gRPC loaded), bound at once. A pack calls the engine only to log, and a
 * connection that arrives early waits, its bytes kept, until forwardTo names the server.
 */
export async function openEngineRelay(): Promise<EngineRelay> {
  let target: { host: string; port: number } | undefined;
  const waiting: net.Socket[] = [];
  const sockets = new Set<net.Socket>();
  const pipe = (socket: net.Socket) => {
    if (!target) return;
    const upstream = net.connect(target.port, target.host);
    sockets.add(upstream);
    upstream.once("close", () => sockets.delete(upstream));
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.once("error", end);
    upstream.once("error", end);
    socket.once("close", end);
    upstream.once("close", end);
    socket.resume();
  };
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    if (target) pipe(socket);
    else waiting.push(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    forwardTo: (address) => {
      const colon = address.lastIndexOf(":");
      target = { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
      for (const socket of waiting.splice(0)) pipe(socket);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

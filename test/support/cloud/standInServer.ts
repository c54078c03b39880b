/**
 * The loopback HTTP server every control-plane stand-in here is built on. Stand-ins exist only
 * where no local server of the real API can (a cloud's control plane, Google's token services):
 * each answers with the response shapes its API reference documents (the page is cited in each
 * stand-in) and records every request, so a test can assert what was called — and that nothing
 * was written.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StandIn {
  readonly endpoint: string;
  readonly requests: SeenRequest[];
  stop(): Promise<void>;
}

export async function startStandIn(answer: (request: SeenRequest) => Answer): Promise<StandIn> {
  const requests: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const seen: SeenRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(seen);
      let reply: Answer;
      try {
        reply = answer(seen);
      } catch (error) {
        reply = { status: 500, body: { message: String(error) } };
      }
      const text = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers }).end(text);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
